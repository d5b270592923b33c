"""The audit trail as people read it: who (name and roles), what, the fields that changed —
and the entries a change to a draft agreement writes, which must say what the draft said."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.services.agreements import authoring, underpinning
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import trail as audit_trail
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.identity.trail import Change
from servicelevel.services.shared.errors import Forbidden, Invalid
from tests.integration.agreement_fixtures import SLA, everyone, uc
from tests.integration.factories import World


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def newest(session: Session, actor: Actor, **filters: Any) -> audit_trail.TrailEntry:
    return audit_trail.read_trail(session, actor=actor, limit=1, **filters).page.items[0]


def test_editing_a_draft_records_the_clauses_it_changed_before_and_after(
    session: Session, actors: dict[str, Actor]
) -> None:
    made = authoring.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(SLA))
    session.flush()
    doc = agreements.export_document(session, actor=actors["admin"], agreement_id=made.id, number=1)
    doc["targets"][1]["within"] = "6h"
    doc["targets"][0]["objective"] = 0.97
    doc["calendars"]["business"] = "24x7"
    doc["credits"] = []
    version = agreements.latest(made)
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=made.id,
        number=1,
        version=version.version,
        document=doc,
        note="P2 in 6h",
    )
    session.flush()
    entry = session.query(AuditEntry).order_by(AuditEntry.id.desc()).first()
    assert entry is not None
    assert entry.action == "update"
    assert entry.before != entry.after
    before = dict(entry.before or {})
    credit = before.pop("credits")["email-credit"]
    assert (credit["target"], credit["cap"]) == ("email-up", 0.1)
    assert before == {
        "number": 1,
        "note": "",
        "calendars": {"business": "bj"},
        "targets": {"P1-resolution": {"objective": 0.95}, "P2-resolution": {"within": "8h"}},
    }
    assert entry.after == {
        "number": 1,
        "note": "P2 in 6h",
        "calendars": {"business": "24x7"},
        "targets": {"P1-resolution": {"objective": 0.97}, "P2-resolution": {"within": "6h"}},
        "credits": {},
    }
    shown = newest(session, actors["viewer"], object_type="agreement_version")
    assert shown.object_name == "SLA-1 v1"
    assert Change(("targets", "P2-resolution", "within"), "8h", "6h") in shown.changes
    assert Change(("calendars", "business"), "bj", "24x7") in shown.changes
    assert Change(("credits", "email-credit", "cap"), 0.1, None) in shown.changes


def test_a_removed_link_reads_with_nothing_after_it(
    session: Session, actors: dict[str, Actor], world: World
) -> None:
    sla = authoring.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(SLA))
    ucs = authoring.create_agreement(session, actor=actors["admin"], document=uc())
    session.flush()
    underpinning.link(session, actor=actors["manager"], sla_id=sla.id, supporting_id=ucs.id)
    session.flush()
    underpinning.unlink(session, actor=actors["manager"], sla_id=sla.id, supporting_id=ucs.id)
    session.flush()
    entry = newest(session, actors["viewer"])
    assert (entry.action, entry.object_type, entry.object_name) == ("unlink", "underpinning", "")
    assert entry.changes == [
        Change(("sla",), "SLA-1", None),
        Change(("supporting",), "UC-1", None),
        Change(("sla_id",), sla.id, None),
        Change(("supporting_id",), ucs.id, None),
    ]
    assert entry.who.name == "manager"
    assert entry.who.roles == [("service_level_manager", "")]


def test_the_trail_is_filtered_by_object_user_and_period_and_paged(
    session: Session, actors: dict[str, Actor], world: World
) -> None:
    authoring.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(SLA))
    session.flush()
    old = dt.datetime(2020, 3, 1, 12, tzinfo=dt.UTC)
    session.execute(update(AuditEntry).where(AuditEntry.object_type == "party").values(at=old))
    viewer = actors["viewer"]
    by_admin = audit_trail.read_trail(session, actor=viewer, actor_id=actors["admin"].user_id)
    assert by_admin.page.total == 1
    assert by_admin.page.items[0].who.roles == [("service_level_administrator", "")]
    in_2020 = audit_trail.read_trail(
        session,
        actor=viewer,
        since=dt.datetime(2020, 3, 1, tzinfo=dt.UTC),
        until=dt.datetime(2020, 3, 2, tzinfo=dt.UTC),
    )
    assert {e.object_type for e in in_2020.page.items} == {"party"}
    assert {"ACME", "GLOBEX", "CLOUD"} <= {e.object_name for e in in_2020.page.items}
    everything = audit_trail.read_trail(session, actor=viewer, limit=3)
    second = audit_trail.read_trail(session, actor=viewer, offset=3, limit=3)
    assert everything.page.total == second.page.total > 6
    assert {e.id for e in everything.page.items}.isdisjoint({e.id for e in second.page.items})
    assert "admin" in dict(everything.users).values()
    assert "party" in everything.object_types
    with pytest.raises(Invalid, match="ends before it starts"):
        audit_trail.read_trail(session, actor=viewer, since=old, until=old)
    with pytest.raises(Forbidden):
        audit_trail.read_trail(session, actor=actors["customer_rep"])


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, {"a": 1, "b": ""}, [Change(("a",), None, 1)]),
        ({"a": 1}, None, [Change(("a",), 1, None)]),
        ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 3]}}, [Change(("a", "b"), [1, 2], [1, 3])]),
        ({"x": True}, {"x": False}, [Change(("x",), True, False)]),
        ({"x": [[1, 2]]}, {"x": {"k": "v"}}, [Change(("x",), [[1, 2]], {"k": "v"})]),
        ({"same": 1}, {"same": 1}, []),
    ],
)
def test_a_change_lists_each_field_with_its_path(
    before: dict[str, Any] | None, after: dict[str, Any] | None, expected: list[Change]
) -> None:
    assert audit_trail.changes(before, after) == expected
