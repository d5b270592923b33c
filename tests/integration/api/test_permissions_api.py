"""Every endpoint × role pair has an expected answer: allowed, or 403.

The table below names the action each endpoint needs; the expected answer for a role comes
from the one permission matrix (services/identity/permissions.py). A route missing from the table
fails the test, so no endpoint can be added without deciding who may call it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from servicelevel.services.identity.permissions import MATRIX
from tests.api_routes import api_operations
from tests.integration.api.conftest import auth
from tests.integration.factories import PASSWORD, World

PERSONA_ROLE = {
    "owner": "process_owner",
    "manager": "service_level_manager",
    "admin": "service_level_administrator",
    "customer_rep": "customer_representative",
    "outsider": "customer_representative",
    "viewer": "viewer",
}
CAL = {"timezone": "UTC", "hours": "24x7"}
SLR = {
    "code": "SLR-P",
    "customer_id": 1,
    "service_id": 1,
    "title": "t",
    "targets": [{"metric": "availability", "objective": 0.9}],
}

ACTION = {"title": "t", "due_on": "2026-01-01", "owner_name": "o"}

# (method, path template, action or None for "any signed-in user"/"public", body)
ENDPOINTS: list[tuple[str, str, str | None, Any]] = [
    ("GET", "/api/v1/parties", "party.read", None),
    ("POST", "/api/v1/parties", "party.write", {"code": "NEW", "kind": "supplier", "name": "N"}),
    ("GET", "/api/v1/parties/{acme}", "party.read", None),
    ("PATCH", "/api/v1/parties/{acme}", "party.write", {"lock_version": 1, "name": "Acme 2"}),
    ("DELETE", "/api/v1/parties/{globex}?lock_version=1", "party.write", None),
    ("GET", "/api/v1/calendars", "calendar.read", None),
    ("POST", "/api/v1/calendars", "calendar.write", {"code": "c", "definition": CAL}),
    ("GET", "/api/v1/calendars/{cal}", "calendar.read", None),
    ("PUT", "/api/v1/calendars/{cal}", "calendar.write", {"lock_version": 1, "definition": CAL}),
    (
        "GET",
        "/api/v1/calendars/{cal}/elapsed?start=2025-01-01T00:00:00Z&end=2025-01-02T00:00:00Z",
        "calendar.read",
        None,
    ),
    (
        "GET",
        "/api/v1/calendars/{cal}/deadline?start=2025-01-01T00:00:00Z&duration=1h",
        "calendar.read",
        None,
    ),
    ("GET", "/api/v1/services", "catalog.read", None),
    ("POST", "/api/v1/services", "catalog.write", {"code": "svc", "name": "Service"}),
    ("GET", "/api/v1/services/{svc}", "catalog.read", None),
    ("PATCH", "/api/v1/services/{svc}", "catalog.write", {"lock_version": 1, "name": "S2"}),
    ("PUT", "/api/v1/services/{svc}/options", "catalog.write", {"lock_version": 1, "options": []}),
    (
        "POST",
        "/api/v1/services/{svc}/lifecycle",
        "catalog.approve",
        {"lock_version": 1, "transition": "approve"},
    ),
    ("DELETE", "/api/v1/services/{svc}?lock_version=1", "catalog.write", None),
    ("GET", "/api/v1/catalog", "catalog.read", None),
    ("GET", "/api/v1/work-items", "work.read", None),
    ("GET", "/api/v1/work-items/{item}", "work.read", None),
    ("POST", "/api/v1/work-items/{item}/complete", "work.write", {"lock_version": 1}),
    (
        "POST",
        "/api/v1/material-changes",
        "work.trigger",
        {"change": "strategy", "description": "Cloud first"},
    ),
    ("GET", "/api/v1/agreements", "agreement.read", None),
    ("POST", "/api/v1/agreements", "agreement.write", {"document": {"id": "A"}}),
    ("POST", "/api/v1/agreements/refresh", "agreement.write", None),
    ("GET", "/api/v1/agreements/{agr}", "agreement.read", None),
    (
        "PATCH",
        "/api/v1/agreements/{agr}",
        "agreement.write",
        {"lock_version": 1, "notice_days": 30},
    ),
    ("GET", "/api/v1/agreements/{agr}/versions/1", "agreement.read", None),
    (
        "PUT",
        "/api/v1/agreements/{agr}/versions/1",
        "agreement.write",
        {"lock_version": 1, "document": {}},
    ),
    ("POST", "/api/v1/agreements/{agr}/versions", "agreement.write", {"lock_version": 1}),
    (
        "POST",
        "/api/v1/agreements/{agr}/versions/1/steps",
        "agreement.approve",
        {"lock_version": 1, "step": "approve"},
    ),
    (
        "POST",
        "/api/v1/agreements/{agr}/versions/1/signatures",
        "agreement.sign",
        {"lock_version": 1, "password": PASSWORD},
    ),
    (
        "POST",
        "/api/v1/agreements/{agr}/versions/1/comments",
        "agreement.comment",
        {"body": "Too slow"},
    ),
    ("GET", "/api/v1/agreements/{agr}/comments", "agreement.read", None),
    ("GET", "/api/v1/agreements/{agr}/diff?old=1&new=1", "agreement.read", None),
    ("GET", "/api/v1/agreements/{agr}/document", "agreement.read", None),
    (
        "POST",
        "/api/v1/agreements/{agr}/terminate",
        "agreement.terminate",
        {"lock_version": 1, "reason": "x"},
    ),
    (
        "POST",
        "/api/v1/agreements/{agr}/renewal",
        "agreement.write",
        {"lock_version": 1, "code": "R", "start": "2027-01-01", "end": "2027-12-31"},
    ),
    ("GET", "/api/v1/agreements/{agr}/underpinning", "underpinning.read", None),
    ("PUT", "/api/v1/agreements/{agr}/underpinning/{agr}", "agreement.write", None),
    ("DELETE", "/api/v1/agreements/{agr}/underpinning/{agr}", "agreement.write", None),
    ("GET", "/api/v1/portfolio/findings", "underpinning.read", None),
    ("GET", "/api/v1/requirements", "requirement.read", None),
    ("POST", "/api/v1/requirements", "requirement.write", SLR),
    ("GET", "/api/v1/requirements/999999", "requirement.read", None),
    ("PATCH", "/api/v1/requirements/999999", "requirement.write", {"lock_version": 1}),
    ("POST", "/api/v1/requirements/999999/analysis", "requirement.write", {"lock_version": 1}),
    (
        "POST",
        "/api/v1/requirements/999999/decision",
        "requirement.decide",
        {"lock_version": 1, "decision": "agreed"},
    ),
    ("GET", "/api/v1/services/{svc}/demand", "requirement.read", None),
    (
        "GET",
        "/api/v1/what-if?service_id={svc}&metric=availability&objective=0.99&period=2026-01",
        "requirement.read",
        None,
    ),
    ("GET", "/api/v1/change-requests", "requirement.read", None),
    ("GET", "/api/v1/change-requests/999999", "requirement.read", None),
    (
        "PATCH",
        "/api/v1/change-requests/999999",
        "requirement.write",
        {"lock_version": 1, "status": "accepted"},
    ),
    ("POST", "/api/v1/change-requests/999999/retry", "requirement.write", {"lock_version": 1}),
    ("GET", "/api/v1/templates", "template.read", None),
    (
        "POST",
        "/api/v1/templates",
        "template.write",
        {"code": "t", "kind": "SLA", "language": "en", "name": "T"},
    ),
    ("GET", "/api/v1/templates/999999", "template.read", None),
    ("PATCH", "/api/v1/templates/999999", "template.write", {"lock_version": 1, "name": "T2"}),
    ("GET", "/api/v1/agreements/{agr}/rendering", "agreement.read", None),
    ("GET", "/api/v1/agreements/{agr}/report?period=2026-03", "agreement.read", None),
    ("POST", "/api/v1/agreements/{agr}/reports", "report.publish", {"period": "2026-03"}),
    ("GET", "/api/v1/reports", "report.read", None),
    ("GET", "/api/v1/agreements/{agr}/reports/2026-03", "agreement.read", None),
    ("GET", "/api/v1/agreements/{agr}/report-revisions", "report.read", None),
    (
        "POST",
        "/api/v1/agreements/{agr}/report-schedules",
        "report.publish",
        {"emails": ["ops@example.com"], "calendar_key": "always"},
    ),
    ("GET", "/api/v1/agreements/{agr}/report-schedules", "report.read", None),
    ("GET", "/api/v1/report-schedules/999999/deliveries", "report.read", None),
    ("POST", "/api/v1/report-schedules/999999/run", "report.publish", None),
    ("POST", "/api/v1/agreements/{agr}/recompute", "measurement.recompute", None),
    ("GET", "/api/v1/agreements/{agr}/open-tickets", "agreement.read", None),
    ("GET", "/api/v1/jobs", "job.read", None),
    ("GET", "/api/v1/jobs/999999", "job.read", None),
    ("GET", "/api/v1/reports/999999", "report.read", None),
    ("GET", "/api/v1/breaches", "breach.read", None),
    ("GET", "/api/v1/portfolio/health?customer_id=1", "agreement.read", None),
    ("GET", "/api/v1/agreements/{agr}/health", "agreement.read", None),
    ("GET", "/api/v1/breaches/999999", "breach.read", None),
    (
        "POST",
        "/api/v1/breaches/999999/annotation",
        "breach.annotate",
        {"lock_version": 1, "excluded": True, "reason": "customer"},
    ),
    ("GET", "/api/v1/alerts", "breach.read", None),
    ("GET", "/api/v1/agreements/{agr}/alerts", "breach.read", None),
    ("GET", "/api/v1/notification-channels", "notification.read", None),
    (
        "POST",
        "/api/v1/notification-channels",
        "notification.manage",
        {"name": "ops", "kind": "email", "address": "ops@example.com"},
    ),
    ("GET", "/api/v1/notification-channels/999999", "notification.read", None),
    (
        "PUT",
        "/api/v1/notification-channels/999999",
        "notification.manage",
        {"lock_version": 1, "name": "ops", "kind": "email", "address": "ops@example.com"},
    ),
    ("GET", "/api/v1/notifications", "notification.read", None),
    ("GET", "/api/v1/tickets", "ticket.read", None),
    (
        "POST",
        "/api/v1/ticket-events",
        "ticket.write",
        {
            "source": "perm",
            "events": [
                {"ticket": "T1", "at": "2026-01-01T00:00:00Z", "state": "New", "service": "s"}
            ],
        },
    ),
    (
        "POST",
        "/api/v1/ticket-events/queue",
        "ticket.write",
        {
            "source": "perm",
            "events": [
                {"ticket": "T1", "at": "2026-01-01T00:00:00Z", "state": "New", "service": "s"}
            ],
        },
    ),
    ("GET", "/api/v1/ticket-events/queue/999999", "ticket.write", None),
    ("GET", "/api/v1/tickets/999999", "ticket.read", None),
    ("GET", "/api/v1/tickets/999999/measurements", "ticket.read", None),
    ("GET", "/api/v1/tickets/999999/explanation", "ticket.read", None),
    (
        "POST",
        "/api/v1/webhooks/generic",
        "ticket.write",
        {"ticket": "W1", "at": "2026-01-01T00:00:00Z", "state": "New", "service": "s"},
    ),
    ("GET", "/api/v1/ticket-mappings", "ticket.write", None),
    (
        "POST",
        "/api/v1/ticket-mappings",
        "ticket.write",
        {"name": "perm-map", "definition": "source: p\ncolumns: {ticket: a, at: b, state: c}\n"},
    ),
    ("GET", "/api/v1/ticket-mappings/perm-map", "ticket.write", None),
    (
        "PUT",
        "/api/v1/ticket-mappings/perm-map",
        "ticket.write",
        {"definition": "source: q\ncolumns: {ticket: a, at: b, state: c}\n"},
    ),
    ("DELETE", "/api/v1/ticket-mappings/perm-map", "ticket.write", None),
    ("GET", "/api/v1/teams/attainment?period=2026-03", "team.read", None),
    ("GET", "/api/v1/breaches?team=network", "team.read", None),
    ("GET", "/api/v1/connections", "connection.read", None),
    (
        "POST",
        "/api/v1/connections",
        "connection.manage",
        {"name": "perm-rt", "kind": "rt", "base_url": "https://rt.example", "mapping": "rt"},
    ),
    ("GET", "/api/v1/connections/999999", "connection.read", None),
    ("PATCH", "/api/v1/connections/999999", "connection.manage", {"lock_version": 1}),
    ("DELETE", "/api/v1/connections/999999", "connection.manage", None),
    ("POST", "/api/v1/connections/999999/run", "connection.manage", None),
    ("GET", "/api/v1/connections/999999/runs", "connection.read", None),
    ("GET", "/api/v1/outages", "outage.read", None),
    (
        "POST",
        "/api/v1/outages",
        "outage.write",
        {
            "service": "erp",
            "starts_at": "2025-03-04T10:00:00+08:00",
            "ends_at": "2025-03-04T11:00:00+08:00",
        },
    ),
    (
        "POST",
        "/api/v1/outages/import",
        "outage.write",
        {"csv": "service,start,end\nerp,2025-03-04T10:00:00Z,2025-03-04T11:00:00Z\n"},
    ),
    ("GET", "/api/v1/availability?service=erp&calendar=perm&period=2025-03", "outage.read", None),
    ("GET", "/api/v1/reviews", "review.read", None),
    ("POST", "/api/v1/reviews", "review.write", {"agreement_id": 999999}),
    ("POST", "/api/v1/reviews/schedule", "review.write", None),
    ("GET", "/api/v1/reviews/register", "review.read", None),
    ("GET", "/api/v1/reviews/999999", "review.read", None),
    ("PATCH", "/api/v1/reviews/999999", "review.write", {"lock_version": 1}),
    (
        "PUT",
        "/api/v1/reviews/999999/participants",
        "review.write",
        {"lock_version": 1, "participants": []},
    ),
    ("POST", "/api/v1/reviews/999999/agenda", "review.write", {"lock_version": 1}),
    (
        "POST",
        "/api/v1/reviews/999999/minutes",
        "review.write",
        {"lock_version": 1, "minutes": "m", "outcome": "on_track"},
    ),
    ("POST", "/api/v1/reviews/999999/cancel", "review.write", {"lock_version": 1, "reason": "r"}),
    ("POST", "/api/v1/reviews/999999/actions", "improvement.write", ACTION),
    ("PATCH", "/api/v1/actions/999999", "improvement.write", {"lock_version": 1}),
    ("POST", "/api/v1/actions/999999/plan", "improvement.write", {"code": "SIP-P"}),
    ("GET", "/api/v1/improvement-plans", "improvement.read", None),
    (
        "POST",
        "/api/v1/improvement-plans",
        "improvement.write",
        {"code": "SIP-P", "title": "t", "origin": "other"},
    ),
    ("GET", "/api/v1/improvement-plans/999999", "improvement.read", None),
    (
        "POST",
        "/api/v1/improvement-plans/999999/steps",
        "improvement.write",
        {"lock_version": 1, "transition": "activate"},
    ),
    ("POST", "/api/v1/improvement-plans/999999/actions", "improvement.write", ACTION),
    ("GET", "/api/v1/improvement-plans/999999/effect", "improvement.read", None),
    ("GET", "/api/v1/surveys", "survey.read", None),
    (
        "POST",
        "/api/v1/surveys",
        "survey.write",
        {"customer_id": 1, "answered_on": "2026-01-01", "score": 3},
    ),
    (
        "POST",
        "/api/v1/surveys/import",
        "survey.write",
        {"csv": "customer,date,score\nACME,2026-01-01,3\n"},
    ),
    ("GET", "/api/v1/surveys/trend", "survey.read", None),
    (
        "PUT",
        "/api/v1/agreements/{agr}/survey-policy",
        "survey.write",
        {"every": "month", "after_tickets": False},
    ),
    ("GET", "/api/v1/agreements/{agr}/survey-policy", "survey.read", None),
    ("GET", "/api/v1/agreements/{agr}/survey-invitations", "survey.write", None),
    ("POST", "/api/v1/surveys/999999/proposal", "improvement.write", {"code": "SIP-P"}),
    ("GET", "/api/v1/audit", "audit.read", None),
    ("GET", "/api/v1/users", "user.read", None),
    (
        "POST",
        "/api/v1/users",
        "user.manage",
        {"username": "newbie", "password": "long enough pw", "roles": [{"role": "viewer"}]},
    ),
    ("GET", "/api/v1/auth/me", None, None),
    ("GET", "/api/v1/auth/settings", None, None),
    ("PUT", "/api/v1/auth/settings", None, {"locale": "zh-Hans", "timezone": "Asia/Shanghai"}),
    ("POST", "/api/v1/auth/password", None, {"old_password": "x", "new_password": "y"}),
    ("DELETE", "/api/v1/auth/tokens/999999", None, None),
    ("POST", "/api/v1/auth/tokens", None, {"username": "nobody", "password": "x"}),
]


def published_service_with_work(
    client: TestClient, staff: dict[str, str], calendar_id: int
) -> tuple[int, int]:
    """A published service (so every role can see it) and the work item its approval raised."""
    service = client.post(
        "/api/v1/services",
        headers=staff,
        json={"code": "perm", "name": "P", "calendar_id": calendar_id},
    ).json()
    target = {"metric": "availability", "objective": 0.99}
    client.put(
        f"/api/v1/services/{service['id']}/options",
        headers=staff,
        json={"lock_version": 1, "options": [{"code": "std", "name": "S", "targets": [target]}]},
    )
    for version, step in ((2, "approve"), (3, "publish")):
        r = client.post(
            f"/api/v1/services/{service['id']}/lifecycle",
            headers=staff,
            json={"lock_version": version, "transition": step},
        )
        assert r.status_code == 200, r.text
    item = client.get("/api/v1/work-items", headers=staff).json()["items"][0]
    return service["id"], item["id"]


def acme_sla(client: TestClient, staff: dict[str, str], world: World) -> int:
    """A proposed SLA with ACME (so its representative may read it)."""
    document = {
        "id": "SLA-P",
        "kind": "SLA",
        "customer": "ACME",
        "calendars": {"always": "24x7"},
        "clocks": {"fix": {"stop": {"states": ["Resolved"]}}},
        "targets": [{"id": "t", "clock": "fix", "within": "4h", "calendar": "always"}],
    }
    r = client.post("/api/v1/agreements", headers=staff, json={"document": document})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_every_api_route_is_in_the_table(client: TestClient) -> None:
    listed = {(m, p.split("?")[0]) for m, p, _, _ in ENDPOINTS}
    templates = api_operations(client.app)
    concrete = {
        (
            m,
            p.replace("{acme}", "{party_id}")
            .replace("{globex}", "{party_id}")
            .replace("{cal}", "{calendar_id}")
            .replace("{svc}", "{service_id}")
            .replace("{item}", "{item_id}")
            .replace("underpinning/{agr}", "underpinning/{supporting_id}")
            .replace("{agr}", "{agreement_id}")
            .replace("versions/1", "versions/{number}")
            .replace("auth/tokens/999999", "auth/tokens/{token_id}")
            .replace("tickets/999999", "tickets/{ticket_id}")
            .replace("requirements/999999", "requirements/{requirement_id}")
            .replace("change-requests/999999", "change-requests/{change_id}")
            .replace("templates/999999", "templates/{template_id}")
            .replace("reports/999999", "reports/{report_id}")
            .replace("reports/2026-03", "reports/{period}")
            .replace("jobs/999999", "jobs/{job_id}")
            .replace("breaches/999999", "breaches/{breach_id}")
            .replace("report-schedules/999999", "report-schedules/{schedule_id}")
            .replace("webhooks/generic", "webhooks/{mapping}")
            .replace("ticket-mappings/perm-map", "ticket-mappings/{name}")
            .replace("connections/999999", "connections/{connection_id}")
            .replace("reviews/999999", "reviews/{meeting_id}")
            .replace("queue/999999", "queue/{inbox_id}")
            .replace("actions/999999", "actions/{action_id}")
            .replace("improvement-plans/999999", "improvement-plans/{plan_id}")
            .replace("surveys/999999", "surveys/{survey_id}")
            .replace("notification-channels/999999", "notification-channels/{channel_id}"),
        )
        for m, p in listed
    }
    assert templates <= concrete, templates - concrete


@pytest.mark.parametrize(("method", "path", "action", "body"), ENDPOINTS)
def test_each_role_may_or_may_not_call_endpoint(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    method: str,
    path: str,
    action: str | None,
    body: Any,
) -> None:
    """Every persona calls the endpoint: those without the permission first (a 403 comes
    before any lookup, so it cannot depend on what others did), then those with it (anything
    but a 403 or a 500: a 404 or 409 after an earlier persona's change is still "allowed")."""
    staff = auth(tokens["owner"])
    cal = client.post("/api/v1/calendars", headers=staff, json={"code": "perm", "definition": CAL})
    svc, item = 0, 0
    if "{svc}" in path or "{item}" in path:
        svc, item = published_service_with_work(client, staff, cal.json()["id"])
    agr = acme_sla(client, staff, world) if "{agr}" in path else 0
    url = path.format(
        acme=world.acme_id,
        globex=world.globex_id,
        cal=cal.json()["id"],
        svc=svc,
        item=item,
        agr=agr,
    )

    def allowed(persona: str) -> bool:
        return action is None or PERSONA_ROLE[persona] in MATRIX[action]

    for persona in sorted(PERSONA_ROLE, key=allowed):
        r = client.request(method, url, headers=auth(tokens[persona]), json=body)
        assert r.status_code != 500, (persona, r.text)
        if allowed(persona):
            assert r.status_code != 403, (persona, method, url, r.text)
        else:
            assert r.status_code == 403, (persona, method, url, r.text)
            assert r.json()["error"]["code"] == "forbidden"
