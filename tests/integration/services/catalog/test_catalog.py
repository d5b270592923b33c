"""The service catalog: drafts, options, the lifecycle, scoping and the work items it raises."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry, Service
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from tests.integration.factories import World

GOLD = OptionData(
    "gold",
    "Gold",
    {"zh-Hans": "金牌"},
    (
        OfferedTargetData("resolution", 0.95, "P1", "4h"),
        OfferedTargetData("response", 0.95, "P1", "15m"),
        OfferedTargetData("availability", 0.999),
    ),
)


def draft(session: Session, world: World, code: str = "email") -> Service:
    cal = calendars.create_calendar(
        session, actor=SYSTEM, code=f"hours-{code}", definition={"timezone": "UTC", "hours": "24x7"}
    )
    data = ServiceData(
        code, "Email", {"zh-Hans": "电子邮件"}, "Mail for everyone", calendar_id=cal.id
    )
    service = catalog.create_service(session, actor=world.actors["admin"], data=data)
    session.flush()
    return catalog.set_options(
        session, actor=world.actors["admin"], service_id=service.id, version=1, options=[GOLD]
    )


def step(session: Session, world: World, service: Service, transition: str, who: str) -> Service:
    session.flush()
    return catalog_lifecycle.change_status(
        session,
        actor=world.actors[who],
        service_id=service.id,
        version=service.version,
        transition=transition,
    )


def test_a_draft_keeps_its_options_in_rank_order(session: Session, world: World) -> None:
    service = draft(session, world)
    silver = OptionData("silver", "Silver", {}, (OfferedTargetData("resolution", 0.9, "P1", "8h"),))
    session.flush()
    catalog.set_options(
        session,
        actor=world.actors["admin"],
        service_id=service.id,
        version=2,
        options=[GOLD, silver],
    )
    session.flush()
    session.expire_all()
    loaded = catalog.get_service(session, actor=world.actors["viewer"], service_id=service.id)
    assert [o.code for o in loaded.options] == ["gold", "silver"]
    assert [(t.metric, t.within, t.objective) for t in loaded.options[0].targets] == [
        ("resolution", "4h", 0.95),
        ("response", "15m", 0.95),
        ("availability", "", 0.999),
    ]
    assert loaded.version == 3


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (OfferedTargetData("speed", 0.9, "", "4h"), "options.0.targets.0.metric"),
        (OfferedTargetData("resolution", 1.5, "", "4h"), "options.0.targets.0.objective"),
        (OfferedTargetData("resolution", 0.9, "", "soon"), "options.0.targets.0.within"),
        (OfferedTargetData("resolution", 0.9, "", ""), "options.0.targets.0.within"),
        (OfferedTargetData("availability", 0.9, "", "4h"), "options.0.targets.0.within"),
    ],
)
def test_a_bad_offered_target_is_named_and_nothing_changes(
    session: Session, world: World, target: OfferedTargetData, field: str
) -> None:
    service = draft(session, world)
    session.flush()
    with pytest.raises(Invalid) as caught:
        catalog.set_options(
            session,
            actor=world.actors["admin"],
            service_id=service.id,
            version=service.version,
            options=[OptionData("x", "X", {}, (target,))],
        )
    assert caught.value.field == field


def test_approving_a_new_service_asks_the_manager_to_define_its_sla(
    session: Session, world: World
) -> None:
    service = draft(session, world)
    with pytest.raises(Forbidden):
        step(session, world, service, "approve", "admin")
    step(session, world, service, "approve", "manager")
    assert service.status == "approved"
    assert service.approved_by_id == world.actors["manager"].user_id
    items = work.list_work(session, actor=world.actors["manager"], status="open").items
    assert [(i.kind, i.trigger, i.service_id) for i in items] == [
        ("define_sla", "service_approved", service.id)
    ]
    step(session, world, service, "revise", "admin")
    step(session, world, service, "approve", "owner")
    kinds = sorted(i.kind for i in work.list_work(session, actor=world.actors["viewer"]).items)
    assert kinds == ["define_sla", "review_sla"]


def test_a_service_without_hours_or_options_cannot_be_approved(
    session: Session, world: World
) -> None:
    bare = catalog.create_service(
        session, actor=world.actors["admin"], data=ServiceData("bare", "Bare")
    )
    with pytest.raises(Invalid) as caught:
        step(session, world, bare, "approve", "manager")
    assert caught.value.field == "calendar_id"
    assert bare.status == "draft"


def test_only_drafts_change_and_impossible_steps_are_conflicts(
    session: Session, world: World
) -> None:
    service = draft(session, world)
    with pytest.raises(Conflict, match="draft: publish is not possible"):
        step(session, world, service, "publish", "admin")
    step(session, world, service, "approve", "manager")
    with pytest.raises(Conflict, match="revise it to a draft"):
        catalog.update_service(
            session,
            actor=world.actors["admin"],
            service_id=service.id,
            version=service.version,
            changes={"name": "Mail"},
        )
    step(session, world, service, "revise", "admin")
    with pytest.raises(Conflict, match="retire it instead"):
        catalog.delete_service(
            session, actor=world.actors["admin"], service_id=service.id, version=service.version
        )


def test_customers_read_the_published_catalog_only(session: Session, world: World) -> None:
    shown = draft(session, world, "email")
    hidden = draft(session, world, "erp")
    step(session, world, shown, "approve", "manager")
    step(session, world, shown, "publish", "admin")
    rep = world.actors["customer_rep"]
    assert [s.code for s in catalog.list_services(session, actor=rep).items] == ["email"]
    with pytest.raises(NotFound):
        catalog.get_service(session, actor=rep, service_id=hidden.id)
    assert [s.code for s in catalog.published_catalog(session, actor=rep)] == ["email"]
    assert catalog.list_services(session, actor=world.actors["viewer"]).total == 2
    with pytest.raises(Forbidden):
        catalog.create_service(session, actor=rep, data=ServiceData("x", "X"))


def test_a_material_change_asks_to_review_every_sla_once(session: Session, world: World) -> None:
    first = draft(session, world, "email")
    second = draft(session, world, "erp")
    draft(session, world, "wiki")  # a draft is not in the catalog yet
    for service in (first, second):
        step(session, world, service, "approve", "manager")
    with pytest.raises(Forbidden):
        work.record_change(
            session, actor=world.actors["admin"], change="strategy", description="Cloud first"
        )
    owner = world.actors["owner"]
    raised = work.record_change(session, actor=owner, change="strategy", description="Cloud first")
    again = work.record_change(session, actor=owner, change="resources", description="Team cut")
    assert sorted(i.id for i in raised) == sorted(i.id for i in again)
    assert {i.service_id for i in raised} == {first.id, second.id}
    assert raised[0].details["description"] == "Cloud first"
    with pytest.raises(Invalid):
        work.record_change(session, actor=owner, change="weather", description="Rain")


def test_a_work_item_is_done_once_with_who_and_when(session: Session, world: World) -> None:
    service = draft(session, world)
    step(session, world, service, "approve", "manager")
    item = work.list_work(session, actor=world.actors["manager"]).items[0]
    session.flush()
    done = work.complete(
        session, actor=world.actors["manager"], item_id=item.id, version=1, note="SLA drafted"
    )
    assert (done.status, done.done_by_id, done.note) == (
        "done",
        world.actors["manager"].user_id,
        "SLA drafted",
    )
    session.flush()
    with pytest.raises(Conflict):
        work.complete(session, actor=world.actors["manager"], item_id=item.id, version=done.version)


def test_dependencies_are_teams_and_suppliers_and_every_change_is_audited(
    session: Session, world: World
) -> None:
    team = parties.create_party(
        session, actor=SYSTEM, data=parties.PartyData("NET", "internal_team", "Network", {})
    )
    service = draft(session, world)
    session.flush()
    with pytest.raises(Invalid) as caught:
        catalog.update_service(
            session,
            actor=world.actors["admin"],
            service_id=service.id,
            version=service.version,
            changes={"depends_on": [world.acme_id]},
        )
    assert caught.value.field == "depends_on"
    catalog.update_service(
        session,
        actor=world.actors["admin"],
        service_id=service.id,
        version=service.version,
        changes={"depends_on": [team.id], "names": {"zh-Hant": "電子郵件"}},
    )
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "service", AuditEntry.object_id == str(service.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["create", "update", "update"]
    assert entries[-1].after is not None
    assert entries[-1].after["depends_on"] == [team.id]
    assert entries[-1].after["names"] == {"zh-Hant": "電子郵件"}
