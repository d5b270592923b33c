"""Agreements: drafting from a document, negotiation over versions, signatures, the version in
force, scoping, export, diff, underpinning and its consistency checks."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.services.agreements import authoring, underpinning
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.process_status import process_status
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from tests.integration.agreement_fixtures import SLA, everyone, ola, uc
from tests.integration.factories import World


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def draft(session: Session, actors: dict[str, Actor], doc: dict[str, Any] = SLA) -> Agreement:
    made = authoring.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(doc))
    session.flush()
    return made


def step(
    session: Session, actors: dict[str, Actor], a: Agreement, who: str, what: str, **kw: Any
) -> AgreementVersion:
    session.flush()
    v = agreements.latest(a)
    return agreement_lifecycle.advance(
        session,
        actor=actors[who],
        agreement_id=a.id,
        number=v.number,
        version=v.version,
        step=what,
        **kw,
    )


def sign(session: Session, actors: dict[str, Actor], a: Agreement, who: str) -> None:
    session.flush()
    v = agreements.latest(a)
    agreement_lifecycle.sign(
        session, actor=actors[who], agreement_id=a.id, number=v.number, version=v.version
    )


def in_force(session: Session, actors: dict[str, Actor], a: Agreement, signer: str) -> None:
    step(session, actors, a, "admin", "propose")
    step(session, actors, a, "manager", "approve")
    sign(session, actors, a, "manager")
    sign(session, actors, a, signer)
    step(session, actors, a, "manager", "activate")


def test_a_document_becomes_a_draft_with_its_targets_and_round_trips(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    assert (a.kind, a.status, a.title, a.titles) == (
        "SLA",
        "draft",
        "E-mail for Acme",
        {"zh-Hans": "阿克米邮件服务"},
    )
    v = agreements.latest(a)
    assert [t.key for t in v.targets] == ["P1-resolution", "P2-resolution", "email-up"]
    assert v.targets[0].objective == pytest.approx(0.95)
    assert v.timezone == "Asia/Shanghai"
    exported = agreements.export_document(session, actor=actors["viewer"], agreement_id=a.id)
    session.flush()
    again = authoring.create_agreement(
        session, actor=actors["admin"], document={**exported, "id": "SLA-2"}
    )
    session.flush()
    copy_out = agreements.export_document(session, actor=actors["viewer"], agreement_id=again.id)
    assert {**copy_out, "id": "SLA-1"} == exported


def test_changing_an_exported_agreement_leaves_the_stored_version_as_it_was(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    exported = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id)
    kept = copy.deepcopy(exported)
    exported["clocks"]["resolution"]["pause"] = {"states": ["Awaiting Supplier"]}
    exported["targets"][0]["when"]["priority"] = "P3"
    exported["targets"][0]["warnings"].append("90%")
    exported["title"]["zh-Hans"] = "改过的标题"
    again = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id)
    assert again == kept
    assert agreements.latest(a).targets[0].selector == {"priority": ["P1"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": "NOBODY"}, "customer"),
        ({"customer": "NET"}, "customer"),
        ({"services": ["email", "ghost"]}, "services"),
        ({"calendars": {"business": "mars", "always": "24x7"}}, "calendars.business"),
        ({"calendars": {"business": {"timezone": "UTC"}, "always": "24x7"}}, "calendars.business"),
        ({"term": {"start": "2026-12-31", "end": "2026-01-01"}}, "term.end"),
        ({"review": "weekly"}, "review"),
        ({"targets": [{**SLA["targets"][0], "clock": "nope"}]}, "targets.0.clock"),
        ({"targets": [{**SLA["targets"][0], "within": "soon"}]}, "targets.0.within"),
        ({"targets": [{**SLA["targets"][0], "objective": 95}]}, "targets.0.objective"),
    ],
)
def test_a_bad_document_names_the_field(
    session: Session, actors: dict[str, Actor], change: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        draft(session, actors, {**SLA, **change})
    assert caught.value.field == field


def test_negotiation_signature_and_the_version_in_force(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    step(session, actors, a, "admin", "propose")
    assert a.status == "in_negotiation"
    authoring.add_comment(
        session,
        actor=actors["customer_rep"],
        agreement_id=a.id,
        number=1,
        clause="targets.P2-resolution",
        body="8 hours is too long for us",
    )
    session.flush()
    second = authoring.new_version(
        session, actor=actors["admin"], agreement_id=a.id, version=a.version, note="P2 in 6h"
    )
    session.flush()
    doc = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id, number=2)
    doc["targets"][1]["within"] = "6h"
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=a.id,
        number=2,
        version=second.version,
        document=doc,
    )
    assert [v.state for v in a.versions] == ["withdrawn", "draft"]
    diff = agreement_diff.diff_versions(
        session, actor=actors["viewer"], agreement_id=a.id, old=1, new=2
    )
    assert [(c.clause, c.change) for c in diff.clauses] == [("targets.P2-resolution", "changed")]
    assert any(line.startswith("+") and "6h" in line for line in diff.lines)
    step(session, actors, a, "admin", "propose")
    with pytest.raises(Forbidden):
        step(session, actors, a, "admin", "approve")
    step(session, actors, a, "manager", "approve")
    with pytest.raises(NotFound):  # another customer's agreement does not exist for them
        sign(session, actors, a, "outsider")
    with pytest.raises(Forbidden):
        sign(session, actors, a, "admin")
    sign(session, actors, a, "customer_rep")
    with pytest.raises(Conflict, match="signed version 2 already"):
        sign(session, actors, a, "customer_rep")
    sign(session, actors, a, "manager")
    assert (second.state, a.status) == ("signed", "signed")
    assert sorted((s.side, s.signed_as) for s in second.signatures) == [
        ("counterparty", "customer_representative"),
        ("provider", "service_level_manager"),
    ]
    with pytest.raises(Conflict, match="start a new version"):
        authoring.edit_version(
            session,
            actor=actors["admin"],
            agreement_id=a.id,
            number=2,
            version=second.version,
            document=doc,
        )
    step(
        session, actors, a, "manager", "activate", effective=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert second.in_force_from == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert a.status in ("active", "expiring", "expired")


def test_a_change_to_an_agreement_in_force_supersedes_it_when_activated(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    in_force(session, actors, a, "customer_rep")
    first = agreements.latest(a)
    session.flush()
    authoring.new_version(session, actor=actors["admin"], agreement_id=a.id, version=a.version)
    assert agreements.in_force(a) is first
    in_force(session, actors, a, "customer_rep")
    assert [v.state for v in a.versions] == ["superseded", "in_force"]
    assert first.in_force_until == a.versions[1].in_force_from


def test_status_follows_the_term(session: Session, actors: dict[str, Actor]) -> None:
    a = draft(session, actors)
    in_force(session, actors, a, "customer_rep")
    a.notice_days = 30
    assert agreements.derive_status(a, dt.date(2026, 6, 1)) == "active"
    assert agreements.derive_status(a, dt.date(2026, 12, 1)) == "expiring"
    assert agreements.derive_status(a, dt.date(2027, 1, 1)) == "expired"
    session.flush()
    agreement_lifecycle.terminate(
        session, actor=actors["owner"], agreement_id=a.id, version=a.version, reason="Outsourced"
    )
    assert a.status == "terminated"


def test_a_proposal_needs_a_term_services_and_targets(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors, {**SLA, "services": []})
    with pytest.raises(Invalid) as caught:
        step(session, actors, a, "admin", "propose")
    assert caught.value.field == "services"


def test_representatives_see_their_own_agreements_and_no_drafts(
    session: Session, actors: dict[str, Actor]
) -> None:
    sla = draft(session, actors)
    team = draft(session, actors, ola())
    rep = actors["customer_rep"]
    assert [x.code for x in agreements.list_agreements(session, actor=rep).items] == ["SLA-1"]
    assert agreements.visible_versions(rep, sla) == []
    with pytest.raises(NotFound):
        agreements.get_agreement(session, actor=actors["outsider"], agreement_id=sla.id)
    with pytest.raises(NotFound):
        agreements.export_document(session, actor=rep, agreement_id=sla.id)
    member = actors["team_member"]
    assert [x.code for x in agreements.list_agreements(session, actor=member).items] == ["OLA-1"]
    in_force(session, actors, team, "team_member")
    assert team.versions[0].signatures[1].signed_as == "internal_team_member"


def test_underpinning_finds_looser_targets_early_ends_gaps_and_calendar_mismatches(
    session: Session, actors: dict[str, Actor]
) -> None:
    sla = draft(session, actors)
    looser = copy.deepcopy(SLA["targets"])
    looser[0]["within"] = "6h"  # P1 in 6h under an SLA promising 4h
    looser[1]["calendar"] = "always"  # P2 on 24x7 where the SLA counts business hours
    team = draft(session, actors, ola(targets=looser, services=["email"]))
    supplier = draft(
        session, actors, uc(term={"start": "2026-01-01", "end": "2026-06-30"}, services=["email"])
    )
    for other in (team, supplier):
        underpinning.link(session, actor=actors["admin"], sla_id=sla.id, supporting_id=other.id)
    with pytest.raises(Conflict):
        underpinning.link(session, actor=actors["admin"], sla_id=sla.id, supporting_id=team.id)
    with pytest.raises(Invalid):
        underpinning.link(session, actor=actors["admin"], sla_id=team.id, supporting_id=supplier.id)
    session.flush()
    found = underpinning.check_agreement(session, actor=actors["viewer"], agreement_id=sla.id)
    kinds = sorted((f.kind, f.supporting) for f in found)
    assert kinds == [
        ("calendar_mismatch", "OLA-1"),
        ("ends_earlier", "UC-1"),
        ("looser_target", "OLA-1"),
        ("uncovered_service", ""),
    ]
    assert "erp" in next(f.text for f in found if f.kind == "uncovered_service")
    only_team = underpinning.check_agreement(session, actor=actors["viewer"], agreement_id=team.id)
    assert {f.supporting for f in only_team} == {"OLA-1"}
    portfolio = underpinning.portfolio_findings(session, actor=actors["owner"])
    assert sorted(f.kind for f in portfolio) == [k for k, _ in kinds]
    underpinning.unlink(session, actor=actors["admin"], sla_id=sla.id, supporting_id=supplier.id)
    session.flush()
    found = underpinning.check_agreement(session, actor=actors["viewer"], agreement_id=sla.id)
    assert "ends_earlier" not in {f.kind for f in found}


def test_a_ticket_is_measured_under_the_version_in_force_when_it_started(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    jan = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    step(session, actors, a, "admin", "propose")
    step(session, actors, a, "manager", "approve")
    sign(session, actors, a, "manager")
    sign(session, actors, a, "customer_rep")
    step(session, actors, a, "manager", "activate", effective=jan)
    session.flush()
    authoring.new_version(session, actor=actors["admin"], agreement_id=a.id, version=a.version)
    jun = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    step(session, actors, a, "admin", "propose")
    step(session, actors, a, "manager", "approve")
    sign(session, actors, a, "manager")
    sign(session, actors, a, "customer_rep")
    step(session, actors, a, "manager", "activate", effective=jun)
    first, second = a.versions
    assert agreements.version_at(a, dt.datetime(2025, 12, 31, tzinfo=dt.UTC)) is None
    assert agreements.version_at(a, jan) is first
    assert agreements.version_at(a, jun - dt.timedelta(seconds=1)) is first
    assert agreements.version_at(a, jun) is second


def test_refresh_marks_expiring_agreements_and_asks_for_renewal_once(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    in_force(session, actors, a, "customer_rep")
    session.flush()
    owner = actors["owner"]
    was_active = a.status == "active"  # as of the real today, which tests do not fix
    assert agreement_lifecycle.refresh(session, actor=owner, today=dt.date(2026, 3, 1)) == {
        "changed": int(not was_active),
        "work_items": 0,
    }
    assert a.status == "active"
    counts = agreement_lifecycle.refresh(session, actor=owner, today=dt.date(2026, 11, 15))
    assert (a.status, counts["work_items"]) == ("expiring", 1)
    assert agreement_lifecycle.refresh(session, actor=owner, today=dt.date(2026, 11, 16)) == {
        "changed": 0,
        "work_items": 0,
    }
    items = work.list_work(session, actor=owner, status="open").items
    assert [(i.kind, i.agreement_id) for i in items] == [("renew_agreement", a.id)]
    agreement_lifecycle.refresh(session, actor=owner, today=dt.date(2027, 1, 2))
    assert a.status == "expired"


def test_the_process_for_a_service_closes_with_a_published_entry_and_an_sla_in_operation(
    session: Session, actors: dict[str, Actor]
) -> None:
    services = catalog.list_services(session, actor=actors["viewer"]).items
    email = next(s for s in services if s.code == "email")
    status = process_status(session, [email])[email.id]
    assert (status.closed, status.missing) == (
        False,
        ("published catalog entry", "SLA in operation"),
    )
    hours = calendars.list_calendars(session, actor=actors["owner"]).items[0]
    catalog.update_service(
        session,
        actor=actors["owner"],
        service_id=email.id,
        version=email.version,
        changes={"calendar_id": hours.id},
    )
    for version, transition in ((3, "approve"), (4, "publish")):
        session.flush()
        catalog_lifecycle.change_status(
            session,
            actor=actors["owner"],
            service_id=email.id,
            version=version,
            transition=transition,
        )
    a = draft(session, actors)
    assert process_status(session, [email])[email.id].missing == ("SLA in operation",)
    in_force(session, actors, a, "customer_rep")
    session.flush()
    agreement_lifecycle.refresh(session, actor=actors["owner"], today=dt.date(2026, 3, 1))
    session.flush()
    assert process_status(session, [email])[email.id].closed


def test_a_renewal_copies_the_content_for_the_next_term_and_marks_the_old_one(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = draft(session, actors)
    in_force(session, actors, a, "customer_rep")
    session.flush()
    renewal = authoring.renew(
        session,
        actor=actors["admin"],
        agreement_id=a.id,
        version=a.version,
        code="SLA-1-2027",
        start=dt.date(2027, 1, 1),
        end=dt.date(2027, 12, 31),
    )
    session.flush()
    new = agreements.latest(renewal)
    assert (renewal.status, new.term_start, [t.key for t in new.targets]) == (
        "draft",
        dt.date(2027, 1, 1),
        ["P1-resolution", "P2-resolution", "email-up"],
    )
    assert a.renewed_by_id == renewal.id
    assert agreements.derive_status(a, dt.date(2026, 6, 1)) == "active"  # until its term ends
    assert agreements.derive_status(a, dt.date(2027, 1, 2)) == "renewed"
    with pytest.raises(Conflict, match="renewed already"):
        authoring.renew(
            session,
            actor=actors["admin"],
            agreement_id=a.id,
            version=a.version,
            code="SLA-1-again",
            start=dt.date(2027, 1, 1),
            end=dt.date(2027, 12, 31),
        )
