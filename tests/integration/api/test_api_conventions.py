"""The REST API held to its own conventions: one list shape, names kept apart (``number``,
``lock_version``), bounded ids, a stale lock_version always a conflict, no existence leaks,
errors that say where a body broke — and never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry, Party
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.shared.errors import Conflict
from tests.integration.api.conftest import auth
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in

TOO_BIG = 2**63  # one past the largest 64-bit id


def _audit_rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_clearing_a_services_dependencies_with_null_is_not_a_server_error(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    staff = auth(tokens["owner"])
    team = {"code": "NET", "kind": "internal_team", "name": "Network"}
    net = client.post("/api/v1/parties", headers=staff, json=team).json()["id"]
    made = client.post(
        "/api/v1/services", headers=staff, json={"code": "s", "name": "S", "depends_on": [net]}
    ).json()
    assert [d["party_id"] for d in made["dependencies"]] == [net]
    url = f"/api/v1/services/{made['id']}"
    r = client.patch(url, headers=staff, json={"lock_version": 1, "depends_on": None})
    assert r.status_code == 200, r.text
    assert r.json()["dependencies"] == []


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/breaches?agreement_id={TOO_BIG}",
        f"/api/v1/notifications?channel_id={TOO_BIG}",
        f"/api/v1/tickets?customer_id={TOO_BIG}",
        f"/api/v1/parties/{TOO_BIG}",
        f"/api/v1/tickets/{TOO_BIG}/measurements",
        "/api/v1/breaches?agreement_id=0",
    ],
)
def test_an_id_out_of_the_64_bit_range_is_refused_not_a_server_error(
    client: TestClient, tokens: dict[str, str], path: str
) -> None:
    r = client.get(path, headers=auth(tokens["owner"]))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"notice_days": 30, "lock_version": TOO_BIG},
        {"name": "x", "kind": "email", "address": "a@b.io", "agreement_id": TOO_BIG},
    ],
)
def test_an_id_out_of_range_in_a_body_is_refused(
    client: TestClient, tokens: dict[str, str], body: dict[str, Any]
) -> None:
    path = "/api/v1/agreements/1" if "notice_days" in body else "/api/v1/notification-channels"
    method = "PATCH" if "notice_days" in body else "POST"
    r = client.request(method, path, headers=auth(tokens["owner"]), json=body)
    assert r.status_code == 422, r.text


def test_every_integer_id_and_lock_version_in_the_api_is_bounded(client: TestClient) -> None:
    """Every id, filter and lock_version a client sends is an integer from 1 to 2^63-1."""
    doc = client.app.openapi()  # type: ignore[attr-defined]
    unbounded = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                unbounded += [f"{method} {path} {p['name']}" for s in _ints(p["schema"]) if not s]
    for name, schema in doc["components"]["schemas"].items():
        if not (name.endswith("In") or name.endswith("Patch") or name.endswith("Put")):
            continue
        for prop, s in schema.get("properties", {}).items():
            unbounded += [f"{name}.{prop}" for ok in _ints(s) if not ok]
    assert unbounded == []


def _ints(schema: dict[str, Any]) -> list[bool]:
    """For each integer in the schema: whether it has both bounds."""
    found = [b for k in ("anyOf", "oneOf", "allOf") for s in schema.get(k, []) for b in _ints(s)]
    if schema.get("type") == "integer":
        found.append("maximum" in schema and "minimum" in schema)
    if schema.get("type") == "array":
        found += _ints(schema.get("items", {}))
    return found


def test_no_field_or_parameter_of_the_api_is_called_plain_version(client: TestClient) -> None:
    """``number`` is a version's number, ``lock_version`` an optimistic-lock counter."""
    doc = client.app.openapi()  # type: ignore[attr-defined]
    named = [
        f"{path} {p['name']}"
        for path, operations in doc["paths"].items()
        for op in operations.values()
        for p in op.get("parameters", [])
        if p["name"] == "version"
    ]
    named += [
        f"{name}.version"
        for name, schema in doc["components"]["schemas"].items()
        if "version" in schema.get("properties", {})
    ]
    assert named == []
    assert "lock_version" in doc["components"]["schemas"]["AgreementPatch"]["properties"]
    assert {"number", "lock_version"} <= set(
        doc["components"]["schemas"]["VersionOut"]["properties"]
    )


def test_every_list_answers_items_and_total(client: TestClient) -> None:
    """A GET that answers several records answers a page, never a bare array."""
    doc = client.app.openapi()  # type: ignore[attr-defined]
    bare = [
        f"GET {path}"
        for path, operations in doc["paths"].items()
        if "get" in operations
        for media in operations["get"]["responses"].get("200", {}).get("content", {}).values()
        if media.get("schema", {}).get("type") == "array"
    ]
    assert bare == []


def test_an_agreement_answers_its_lock_version_and_its_versions_numbers(
    client: TestClient, tokens: dict[str, str], sla_in_force: int
) -> None:
    staff = auth(tokens["manager"])
    agreement = client.get(f"/api/v1/agreements/{sla_in_force}", headers=staff).json()
    [summary] = agreement["versions"]
    assert summary["number"] == 1
    assert summary["lock_version"] >= 1
    assert "version" not in agreement
    assert "version" not in summary
    version = client.get(f"/api/v1/agreements/{sla_in_force}/versions/1", headers=staff).json()
    assert (version["number"], version["lock_version"]) == (1, summary["lock_version"])
    comments = client.get(f"/api/v1/agreements/{sla_in_force}/comments", headers=staff).json()
    assert (comments["items"], comments["total"], comments["offset"]) == ([], 0, 0)


def test_a_stale_lock_version_is_a_conflict_even_when_nothing_would_change(
    client: TestClient, session: Session, tokens: dict[str, str], world: World
) -> None:
    staff = auth(tokens["owner"])
    url = f"/api/v1/parties/{world.acme_id}"
    changed = client.patch(url, headers=staff, json={"lock_version": 1, "name": "Acme 2"})
    assert changed.json()["lock_version"] == 2
    before = _audit_rows(session)
    for body in ({"lock_version": 1}, {"lock_version": 1, "name": "Acme 2"}):
        stale = client.patch(url, headers=staff, json=body)
        assert stale.status_code == 409, stale.text
        assert stale.json()["error"]["field"] == "lock_version"
    same = client.patch(url, headers=staff, json={"lock_version": 2, "name": "Acme 2"})
    assert (same.status_code, same.json()["lock_version"]) == (200, 2)
    assert _audit_rows(session) == before  # a change that changes nothing is not audited


def test_a_no_op_change_checks_the_stored_lock_version_not_the_one_in_memory(
    session: Session, world: World
) -> None:
    """Someone else's change committed after the record was read: a change that changes
    nothing (so writes nothing) still finds it, as a change that writes would."""
    party = parties.get_party(session, actor=SYSTEM, party_id=world.acme_id)
    assert party.version == 1
    session.execute(text("UPDATE party SET version = 2 WHERE id = :id"), {"id": party.id})
    before = _audit_rows(session)
    with pytest.raises(Conflict) as stale:
        parties.update_party(
            session, actor=SYSTEM, party_id=party.id, version=1, changes={"name": party.name}
        )
    assert stale.value.message == (
        f"party {party.id} was changed by someone else (now version 2); reload it and apply "
        "your change again"
    )
    assert _audit_rows(session) == before
    assert session.get(Party, party.id) is not None


def test_the_runs_of_a_schedule_you_may_not_see_answer_as_if_it_did_not_exist(
    client: TestClient, session: Session, tokens: dict[str, str], sla_in_force: int
) -> None:
    schedule = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        data=report_schedules.ScheduleData(emails=["ops@example.com"]),
    )
    session.flush()
    url = "/api/v1/report-schedules/{}/deliveries"
    rep = client.get(url.format(schedule.id), headers=auth(tokens["customer_rep"]))
    assert (rep.status_code, rep.json()["total"]) == (200, 0)
    hidden = client.get(url.format(schedule.id), headers=auth(tokens["outsider"]))
    missing = client.get(url.format(999999), headers=auth(tokens["outsider"]))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["error"]["message"] == f"no report schedule {schedule.id}"
    assert missing.json()["error"]["message"] == "no report schedule 999999"
    staff_missing = client.get(url.format(999999), headers=auth(tokens["owner"]))
    assert staff_missing.status_code == 404


def test_a_body_that_is_not_json_is_named_body_with_the_line_and_column(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = {**auth(tokens["owner"]), "Content-Type": "application/json"}
    r = client.post("/api/v1/parties", headers=headers, content=b'{\n  "code": "X",\n  "kind": }')
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "body"
    assert error["message"] == "the body is not valid JSON: Expecting value at line 3, column 11"
    assert error["details"] == [{"field": "body", "message": error["message"]}]


def test_an_agreement_document_must_say_its_kind(
    client: TestClient, tokens: dict[str, str]
) -> None:
    document = {
        "id": "SLA-K",
        "customer": "ACME",
        "calendars": {"always": "24x7"},
        "clocks": {"fix": {"stop": {"states": ["Resolved"]}}},
        "targets": [{"id": "t", "clock": "fix", "within": "4h", "calendar": "always"}],
    }
    staff = auth(tokens["manager"])
    r = client.post("/api/v1/agreements", headers=staff, json={"document": document})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "kind"
    made = client.post(
        "/api/v1/agreements", headers=staff, json={"document": {**document, "kind": "SLA"}}
    )
    assert made.status_code == 201, made.text


def test_a_method_not_allowed_says_which_are(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.delete("/api/v1/parties", headers=auth(tokens["owner"]))
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_a_bad_record_posted_to_a_webhook_is_named_by_its_position_from_1(
    client: TestClient, tokens: dict[str, str]
) -> None:
    good = {"ticket": "G-1", "at": "2026-03-03T10:00:00Z", "state": "New", "service": "mail"}
    orphan = {"ticket": "G-2", "at": "2026-03-03T10:00:00Z", "state": "New"}  # new, no service
    r = client.post("/api/v1/webhooks/generic", headers=auth(tokens["admin"]), json=[good, orphan])
    assert r.status_code == 422, r.text
    assert [(d["row"], d["field"]) for d in r.json()["error"]["details"]] == [(2, "service")]


def test_every_operation_documents_its_errors_with_the_error_shape(client: TestClient) -> None:
    doc = client.app.openapi()  # type: ignore[attr-defined]
    missing = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status in ("401", "403", "404", "409", "422"):
                schema = op["responses"].get(status, {}).get("content", {})
                ref = schema.get("application/json", {}).get("schema", {}).get("$ref", "")
                if not ref.endswith("/ErrorOut"):
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []
    body = doc["components"]["schemas"]["ErrorBody"]["properties"]
    assert {"status", "code", "message", "field", "details"} <= set(body)


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/api/v1/agreements/{agreement_id}/report", {"text/html", "application/pdf", "text/csv"}),
        ("/api/v1/agreements/{agreement_id}/rendering", {"text/html", "application/pdf"}),
        ("/api/v1/reports/{report_id}", {"application/json", "text/html", "application/pdf"}),
        ("/api/v1/reviews/register", {"application/pdf"}),
        ("/api/v1/agreements/{agreement_id}/document", {"application/json", "application/yaml"}),
    ],
)
def test_operations_that_answer_files_document_their_media_types(
    client: TestClient, path: str, media: set[str]
) -> None:
    doc = client.app.openapi()  # type: ignore[attr-defined]
    content = doc["paths"][path]["get"]["responses"]["200"]["content"]
    assert media <= set(content)


def test_the_media_type_a_report_answers_is_the_documented_one(
    client: TestClient, tokens: dict[str, str], sla_in_force: int
) -> None:
    doc = client.app.openapi()  # type: ignore[attr-defined]
    documented = doc["paths"]["/api/v1/agreements/{agreement_id}/report"]["get"]["responses"]
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03&format="
    for kind in ("csv", "xlsx", "html"):
        r = client.get(url + kind, headers=auth(tokens["manager"]))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] in documented["200"]["content"]


def test_a_body_that_is_not_utf8_is_named_body_not_a_bare_400(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = {**auth(tokens["owner"]), "Content-Type": "application/json"}
    r = client.post("/api/v1/parties", headers=headers, content=b"1\xff")
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == "body"
    assert r.json()["error"]["message"].startswith("the body cannot be read")


def test_the_allow_header_names_the_literal_paths_methods_not_a_templates(
    client: TestClient, tokens: dict[str, str]
) -> None:
    """``/agreements/refresh`` is POST only, though ``/agreements/{id}`` takes GET and PATCH."""
    r = client.options("/api/v1/agreements/refresh", headers=auth(tokens["owner"]))
    assert (r.status_code, r.headers["allow"]) == (405, "POST")
    r = client.put("/api/v1/agreements/7", headers=auth(tokens["owner"]))
    assert (r.status_code, r.headers["allow"]) == (405, "GET, HEAD, PATCH")


def test_an_agreement_file_is_documented_as_the_object_it_reads_back_as(
    client: TestClient,
) -> None:
    """Found by fuzzing: the YAML and JSON answers were documented as strings."""
    doc = client.app.openapi()  # type: ignore[attr-defined]
    content = doc["paths"]["/api/v1/agreements/{agreement_id}/document"]["get"]["responses"]
    for media in ("application/json", "application/yaml"):
        assert content["200"]["content"][media]["schema"] == {"type": "object"}


def test_a_page_given_an_id_out_of_range_answers_422_not_500(
    client: TestClient, world: World
) -> None:
    """Pages take ids as plain integers; one past 2^63 overflowed SQLite's driver (a 500)."""
    sign_in(client, "manager")
    r = client.get(f"/tickets/{TOO_BIG}")
    assert r.status_code == 422, r.text
    assert "out of range" in r.text
