"""English labels for the codes pages show (translated with the page, see i18n): the states,
kinds, roles and outcomes of each area, one table per kind of code. The templates read them
as their global ``labels``; the audit trail's tables are :mod:`servicelevel.web.audit_labels`.
"""

from __future__ import annotations

# The audit trail's tables live in their own module; they are here too, so that a template
# finds every table of labels under its global ``labels`` (and ALL holds them all).
from servicelevel.web.audit_labels import AUDIT_ACTIONS as AUDIT_ACTIONS
from servicelevel.web.audit_labels import AUDIT_FIELDS as AUDIT_FIELDS
from servicelevel.web.audit_labels import AUDIT_OBJECTS as AUDIT_OBJECTS

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
    "agreement_expiring": "Agreement entering its notice period",
}
PROCESS = {
    "published catalog entry": "published catalog entry",
    "SLA in operation": "SLA in operation",
}
CHANGES = {
    "strategy": "Strategy",
    "capability": "Capability",
    "resources": "Resources",
}
AGREEMENT_KINDS = {
    "SLA": "Service level agreement",
    "OLA": "Operational level agreement",
    "UC": "Underpinning contract",
}
AGREEMENT_STATES = {
    "draft": "Draft",
    "in_negotiation": "In negotiation",
    "approved": "Approved",
    "signed": "Signed",
    "active": "Active",
    "expiring": "Expiring",
    "expired": "Expired",
    "terminated": "Terminated",
    "renewed": "Renewed",
}
VERSION_STATES = {
    "draft": "Draft",
    "proposed": "Proposed",
    "approved": "Approved",
    "signed": "Signed",
    "in_force": "In force",
    "superseded": "Superseded",
    "withdrawn": "Withdrawn",
}
STEPS = {"propose": "Propose", "approve": "Approve", "activate": "Put in force"}
SIDES = {"provider": "Provider", "counterparty": "Counterparty"}
REVIEWS = {
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "half_yearly": "Half-yearly",
    "yearly": "Yearly",
}
FINDINGS = {
    "looser_target": "Looser target",
    "ends_earlier": "Ends earlier",
    "uncovered_service": "Service not covered",
    "calendar_mismatch": "Calendar mismatch",
}
CLAUSE_CHANGES = {"added": "Added", "removed": "Removed", "changed": "Changed"}
WEEKDAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
TEMPLATE_KINDS = {"SLA": "SLA", "OLA": "OLA", "UC": "UC", "report": "Service report"}
PARTY_KINDS = {"customer": "Customer", "internal_team": "Internal team", "supplier": "Supplier"}
ROLES = {
    "process_owner": "SLM process owner",
    "service_level_manager": "Service level manager",
    "service_level_administrator": "Service level administrator",
    "customer_representative": "Customer representative",
    "supplier_representative": "Supplier representative",
    "internal_team_member": "Internal team member",
    "viewer": "Viewer",
}
REQUIREMENT_STATES = {
    "captured": "Captured",
    "analysed": "Analysed",
    "agreed": "Agreed",
    "rejected": "Rejected",
}
OUTCOMES = {
    "within": "Within the catalog",
    "exceeds": "Exceeds the catalog",
    "not_offered": "Not offered",
    "incomparable": "Cannot compare",
}
CHANGE_STATES = {
    "open": "Open",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "implemented": "Implemented",
}
DELIVERY = {
    "not_configured": "no webhook configured",
    "pending": "waiting to be sent",
    "sent": "sent",
    "failed": "failed",
}
MEASUREMENT_STATES = {
    "pending": "Pending",
    "running": "Running",
    "paused": "Paused",
    "met": "Met",
    "breached": "Breached",
    "cancelled": "Cancelled",
}
CLOCK_MODES = {
    "pending": "Not started",
    "running": "Running",
    "paused": "Paused",
    "stopped": "Stopped",
    "cancelled": "Cancelled",
    "closed": "Calendar closed",
    "version": "Agreement version",
}
BREACH_STATES = {"open": "Still running", "closed": "Closed", "withdrawn": "Withdrawn"}
ALERT_KINDS = {"warning": "Warning", "breach": "Breach"}
ALERT_OUTCOMES = {"": "Waiting", "announced": "Announced", "stale": "Recorded, not announced"}
CHANNEL_KINDS = {
    "email": "Email",
    "webhook": "Webhook (JSON)",
    "wecom": "WeCom",
    "dingtalk": "DingTalk",
    "feishu": "Feishu",
    "slack": "Slack",
}
NOTICE_KINDS = {
    "warning": "Warnings",
    "breach": "Breaches",
    "availability": "Availability breaches",
    "burn_rate": "Error budget burn",
}
JOB_STATES = {"queued": "Queued", "running": "Running", "done": "Done", "failed": "Failed"}
NOTICE_STATES = {"pending": "Waiting to be sent", "sent": "Sent", "failed": "Failed"}
WORK_KINDS["renew_agreement"] = "Renew the agreement"
WORK_KINDS["prepare_review"] = "Prepare the review meeting"
TRIGGERS["review_due"] = "Review meeting within a week"
NOTICE_KINDS["review"] = "Review reminders"
NOTICE_KINDS["action"] = "Overdue actions"
MEETING_STATES = {"scheduled": "Scheduled", "held": "Held", "cancelled": "Cancelled"}
MEETING_OUTCOMES = {
    "on_track": "On track",
    "improve": "Improvement needed",
    "revise": "Revise the agreement",
    "terminate": "End the agreement",
}
PARTICIPANT_ROLES = {
    "service_level_manager": "Service level manager (chair)",
    "service_level_administrator": "Service level administrator",
    "incident_manager": "Incident manager",
    "problem_manager": "Problem manager",
    "customer_representative": "Customer representative",
    "supplier_representative": "Supplier representative",
    "team_representative": "Internal team representative",
    "other": "Other",
}
ACTION_STATES = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}
PLAN_STATES = {
    "proposed": "Proposed",
    "active": "In progress",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
PLAN_STEPS = {"activate": "Start the plan", "complete": "Mark completed", "cancel": "Cancel"}
PLAN_ORIGINS = {
    "review": "Review meeting",
    "breach_trend": "Breach trend",
    "problem": "Problem record",
    "survey": "Satisfaction survey",
    "other": "Other",
}
ALL = (
    SERVICE_STATES, TRANSITIONS, METRICS, WORK_KINDS, TRIGGERS, CHANGES, AGREEMENT_KINDS,
    AGREEMENT_STATES, VERSION_STATES, STEPS, SIDES, REVIEWS, FINDINGS, CLAUSE_CHANGES, ROLES,
    REQUIREMENT_STATES, OUTCOMES, CHANGE_STATES, DELIVERY, PROCESS, MEASUREMENT_STATES, CLOCK_MODES,
    BREACH_STATES, ALERT_KINDS, ALERT_OUTCOMES, CHANNEL_KINDS, NOTICE_KINDS, NOTICE_STATES,
    JOB_STATES, MEETING_STATES, MEETING_OUTCOMES, PARTICIPANT_ROLES, ACTION_STATES, PLAN_STATES,
    PLAN_STEPS, PLAN_ORIGINS, AUDIT_ACTIONS, AUDIT_OBJECTS, AUDIT_FIELDS, PARTY_KINDS,
    WEEKDAYS, TEMPLATE_KINDS,
)  # fmt: skip
SOURCE_KINDS = {
    "rt": "Request Tracker",
    "servicenow": "ServiceNow",
    "jira": "Jira Service Management",
    "rest": "JSON/REST source",
}
CONNECTION_STATES = {
    "idle": "Not pulled yet",
    "running": "Pulling",
    "ok": "Up to date",
    "failed": "Failed",
}
RUN_OUTCOMES = {"running": "Running", "ok": "Done", "failed": "Failed"}
