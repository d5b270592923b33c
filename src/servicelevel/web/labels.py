"""English labels for the codes pages show (translated with the page, see i18n)."""

from __future__ import annotations

SERVICE_STATES = {
    "draft": "Draft",
    "approved": "Approved",
    "published": "Published",
    "retired": "Retired",
}
TRANSITIONS = {
    "approve": "Approve",
    "publish": "Publish",
    "retire": "Retire",
    "revise": "Revise",
}
METRICS = {
    "response": "Response",
    "resolution": "Resolution",
    "availability": "Availability",
}
WORK_KINDS = {
    "define_sla": "Define the SLA",
    "review_sla": "Review the SLA",
    "review_catalog": "Review the catalog entry",
}
TRIGGERS = {
    "service_approved": "New service approved",
    "service_changed": "Changed service approved",
    "change_of_strategy": "Material change of strategy",
    "change_of_capability": "Material change of capability",
    "change_of_resources": "Material change of resources",
}
CHANGES = {
    "strategy": "Strategy",
    "capability": "Capability",
    "resources": "Resources",
}
ALL = (SERVICE_STATES, TRANSITIONS, METRICS, WORK_KINDS, TRIGGERS, CHANGES)
