"""A version's clauses by name: what a negotiation comment may be about (an invented clause is
refused), and the diff of two versions clause by clause, its fields before and after."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Invalid
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.factories import World
from tests.integration.services.agreements.test_agreements import step

P1_NAMES = {
    "en": "P1 incidents resolved within 4 hours",
    "zh-Hans": "P1 事件 4 小时内解决",
    "zh-Hant": "P1 事件 4 小時內解決",
}


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def named_sla() -> dict[str, Any]:
    doc = copy.deepcopy(SLA)
    doc["targets"][0]["name"] = P1_NAMES
    return doc


def proposed(session: Session, actors: dict[str, Actor]) -> Agreement:
    made = authoring.create_agreement(session, actor=actors["admin"], document=named_sla())
    session.flush()
    step(session, actors, made, "admin", "propose")
    session.flush()
    return made


def labels(session: Session, actors: dict[str, Actor], a: Agreement, locale: str) -> dict[str, str]:
    found = agreement_diff.version_clauses(
        session, actor=actors["customer_rep"], agreement_id=a.id, number=1, locale=locale
    )
    return {c.key: c.label for c in found}


def test_a_version_lists_its_clauses_by_name_in_the_readers_language(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = proposed(session, actors)
    en = labels(session, actors, a, "en")
    assert list(en) == [
        "",
        "title",
        "provider",
        "customer",
        "services",
        "term",
        "review",
        "timezone",
        "calendars",
        "clocks",
        "targets.P1-resolution",
        "targets.P2-resolution",
        "availability.email-up",
        "credits.email-credit",
    ]
    assert en[""] == "The whole agreement"
    assert en["term"] == "Term"
    assert en["targets.P1-resolution"] == "P1 incidents resolved within 4 hours"
    assert en["targets.P2-resolution"] == "Resolution within 8 h: Priority is P2"
    assert en["availability.email-up"] == "Availability of email"
    assert en["credits.email-credit"] == "Service credit for Availability of email"
    hans = labels(session, actors, a, "zh_Hans")
    assert hans[""] == "整个协议"
    assert hans["term"] == "期限"
    assert hans["targets.P1-resolution"] == "P1 事件 4 小时内解决"
    assert hans["targets.P2-resolution"] == "解决时限 8 小时：优先级为 P2"
    assert labels(session, actors, a, "zh_Hant")["targets.P1-resolution"] == "P1 事件 4 小時內解決"


def test_a_comment_on_a_clause_the_version_does_not_have_is_refused_naming_it(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = proposed(session, actors)
    with pytest.raises(Invalid) as caught:
        authoring.add_comment(
            session,
            actor=actors["customer_rep"],
            agreement_id=a.id,
            number=1,
            clause="targets.P9-nothing",
            body="What is this?",
        )
    assert (caught.value.field, caught.value.status) == ("clause", 422)
    assert "targets.P9-nothing" in caught.value.message
    assert agreements.comments(session, actor=actors["admin"], agreement_id=a.id) == []


def test_a_comment_on_a_listed_clause_or_the_whole_agreement_is_kept_with_its_label(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = proposed(session, actors)
    for clause, body in (("targets.P1-resolution", "Faster please"), ("", "Looks fine")):
        authoring.add_comment(
            session,
            actor=actors["customer_rep"],
            agreement_id=a.id,
            number=1,
            clause=clause,
            body=body,
        )
    session.flush()
    made = agreements.comments(session, actor=actors["admin"], agreement_id=a.id)
    assert [(c.clause, c.body) for c in made] == [
        ("targets.P1-resolution", "Faster please"),
        ("", "Looks fine"),
    ]
    shown = agreement_diff.comment_labels(
        session, actor=actors["admin"], agreement_id=a.id, locale="zh_Hans"
    )
    version = made[0].version_id
    assert shown == {
        (version, "targets.P1-resolution"): "P1 事件 4 小时内解决",
        (version, ""): "整个协议",
    }


def second_version(session: Session, actors: dict[str, Actor], a: Agreement) -> None:
    second = authoring.new_version(
        session, actor=actors["admin"], agreement_id=a.id, version=a.version, note="faster"
    )
    session.flush()
    doc = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id, number=2)
    doc["targets"][0].update(within="2h", objective=0.98, calendar="business")
    doc["targets"].append({**doc["targets"][1], "id": "P3-resolution", "when": {"priority": "P3"}})
    doc["credits"] = []
    doc["term"] = {"start": "2026-01-01", "end": "2027-06-30"}
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=a.id,
        number=2,
        version=second.version,
        document=doc,
    )
    session.flush()


def test_the_diff_names_each_clause_and_gives_the_fields_that_changed(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = proposed(session, actors)
    second_version(session, actors, a)
    diff = agreement_diff.diff_versions(
        session, actor=actors["admin"], agreement_id=a.id, old=1, new=2, locale="zh_Hans"
    )
    changes = {c.clause: c for c in diff.clauses}
    assert [(c.clause, c.change) for c in diff.clauses] == [
        ("term", "changed"),
        ("targets.P1-resolution", "changed"),
        ("targets.P3-resolution", "added"),
        ("credits.email-credit", "removed"),
    ]
    p1 = changes["targets.P1-resolution"]
    assert p1.label == "P1 事件 4 小时内解决"
    assert [(f.field, f.kind, f.before, f.after) for f in p1.fields] == [
        ("within", "duration", "4h", "2h"),
        ("calendar", "text", "全天候（7×24 小时）", "bj"),
        ("objective", "percent", 0.95, 0.98),
    ]
    term = changes["term"]
    assert [(f.field, f.kind, f.before, f.after) for f in term.fields] == [
        ("end", "day", "2026-12-31", "2027-06-30")
    ]
    added = changes["targets.P3-resolution"]
    assert added.label == "解决时限 8 小时：优先级为 P3"
    assert all(f.before is None for f in added.fields)
    assert ("when", "condition", None, {"priority": ["P3"]}) in [
        (f.field, f.kind, f.before, f.after) for f in added.fields
    ]
    removed = changes["credits.email-credit"]
    assert removed.label == "服务赔偿：email 的可用性"
    fields = {f.field: (f.kind, f.before, f.after) for f in removed.fields}
    assert fields["tiers"] == ("tiers", [(pytest.approx(0.999), pytest.approx(0.05))], None)
    assert fields["cap"] == ("percent", pytest.approx(0.1), None)
    assert any(line.startswith("+") and "2h" in line for line in diff.lines)


def test_a_target_handed_to_another_team_shows_the_team_under_its_label(
    session: Session, actors: dict[str, Actor]
) -> None:
    a = proposed(session, actors)
    second = authoring.new_version(
        session, actor=actors["admin"], agreement_id=a.id, version=a.version
    )
    session.flush()
    doc = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id, number=2)
    doc["targets"][1]["held_by"] = "Network operations"
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=a.id,
        number=2,
        version=second.version,
        document=doc,
    )
    session.flush()
    diff = agreement_diff.diff_versions(
        session, actor=actors["admin"], agreement_id=a.id, old=1, new=2, locale="zh_Hant"
    )
    [change] = diff.clauses
    assert change.clause == "targets.P2-resolution"
    assert [(f.field, f.label, f.before, f.after) for f in change.fields] == [
        ("held_by", "負責團隊", None, "Network operations")
    ]
