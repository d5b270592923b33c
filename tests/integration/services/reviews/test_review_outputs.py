"""The review outputs held to the standard of the service report (issue 15): the agenda's
breach total matches its list, a plan raised from an action carries it, the register names
agreements and parties in the reader's language, minutes wait for the meeting, and the
worker's reminder leaves the chair's lock version alone.

Data as in test_reviews: the SLA is in force from 2026-01-01 with quarterly reviews, the
first review (January–March) set for 2026-04-07 02:00 UTC; in February ticket A is met in
1 h, B in 3.8 h (a near miss of 4 h) and C breached (6 h), all P1.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from servicelevel.db.models import TicketEvent
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import breaches, recompute
from servicelevel.services.parties import directory as parties
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import register as review_register
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.shared.errors import Conflict
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket

UTC = dt.UTC
MARCH = dt.datetime(2026, 3, 20, tzinfo=UTC)
MEETING_AT = dt.datetime(2026, 4, 7, 2, 0, tzinfo=UTC)


def at(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def tickets(session: Session, world: World, sla_in_force: int) -> dict[str, int]:
    made = {n: ticket(session, world, n, at("2026-02-10", 1), h) for n, h in (("A", 1), ("C", 6))}
    made["D"] = ticket(session, world, "D", at("2026-02-12", 1), 7)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH)
    return made


def test_the_agenda_total_leaves_out_a_withdrawn_breach_and_keeps_an_excluded_one(
    session: Session, world: World, sla_in_force: int, tickets: dict[str, int]
) -> None:
    """C and D breached; D's resolution is then corrected to 2 h (its breach is withdrawn
    on recomputation) and C's breach is excluded: one breach listed, one counted."""
    assert breaches.list_breaches(session, actor=SYSTEM).total == 2
    session.execute(
        update(TicketEvent)
        .where(TicketEvent.ticket_id == tickets["D"], TicketEvent.seq == 1)
        .values(at=at("2026-02-12", 3))
    )
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH)
    found = {b.ticket_id: b for b in breaches.list_breaches(session, actor=SYSTEM).items}
    assert found[tickets["D"]].status == "withdrawn"
    c = found[tickets["C"]]
    breaches.annotate(
        session,
        actor=world.actors["manager"],
        breach_id=c.id,
        version=c.version,
        excluded=True,
        reason="customer unreachable",
    )
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    listed = meeting.agenda["breaches"]
    assert [(b["ticket"], b["excluded"]) for b in listed["items"]] == [("C", True)]
    assert listed["total"] == len(listed["items"]) == 1


def test_a_plan_raised_from_an_action_carries_it_and_its_progress(
    session: Session, world: World, sla_in_force: int
) -> None:
    manager = world.actors["manager"]
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    action = review_actions.add_action(
        session,
        actor=manager,
        meeting_id=meeting.id,
        data=ActionData("Add a night shift", dt.date(2026, 4, 30), owner_name="Ops lead"),
    )
    plan = review_actions.from_action(session, actor=manager, action_id=action.id, code="SIP-9")
    assert action.plan_id == plan.id
    carried = review_actions.actions(session, plan_ids=[plan.id])
    assert [a.id for a in carried] == [action.id]
    assert review_actions.progress(carried) == 0.0
    # still on the meeting's list, tracked once
    assert [a.id for a in review_actions.actions(session, meeting_ids=[meeting.id])] == [action.id]
    review_actions.update_action(
        session, actor=manager, action_id=action.id, version=action.version, status="done"
    )
    assert review_actions.progress(review_actions.actions(session, plan_ids=[plan.id])) == 1
    with pytest.raises(Conflict) as twice:
        review_actions.from_action(session, actor=manager, action_id=action.id, code="SIP-10")
    assert twice.value.field == "action_id"


def test_the_register_names_agreement_and_party_in_the_readers_language(
    session: Session, world: World, sla_in_force: int
) -> None:
    """The SLA's title is given in English and 简体中文; Acme gets a 简体中文 name. 繁體中文
    has neither, so it shows the names as entered."""
    acme = parties.get_party(session, actor=SYSTEM, party_id=world.acme_id)
    parties.update_party(
        session,
        actor=SYSTEM,
        party_id=acme.id,
        version=acme.version,
        changes={"names": {"zh-Hans": "阿克米公司"}},
    )
    reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    rep = world.actors["customer_rep"]
    [zh] = review_register.register(session, actor=rep, language="zh-Hans")
    assert (zh.agreement_title, zh.counterparty) == ("阿克米邮件服务", "阿克米公司")
    [same] = review_register.register(session, actor=rep, language="zh_Hans")
    assert same.counterparty == "阿克米公司"
    [en] = review_register.register(session, actor=rep, language="en")
    assert (en.agreement_title, en.counterparty) == ("E-mail for Acme", acme.name)
    [hant] = review_register.register(session, actor=rep, language="zh-Hant")
    assert (hant.agreement_title, hant.counterparty) == ("E-mail for Acme", acme.name)


def test_minutes_wait_until_the_meeting_has_started(
    session: Session, world: World, sla_in_force: int
) -> None:
    manager = world.actors["manager"]
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    assert meeting.scheduled_at == MEETING_AT
    record = reviews.Minutes("Held early?", [], "on_track")
    with pytest.raises(Conflict) as early:
        reviews.record_minutes(
            session,
            actor=manager,
            meeting_id=meeting.id,
            version=meeting.version,
            record=record,
            now=MEETING_AT - dt.timedelta(seconds=1),
        )
    assert early.value.field == "minutes"
    assert meeting.status == "scheduled"
    held = reviews.record_minutes(
        session,
        actor=manager,
        meeting_id=meeting.id,
        version=meeting.version,
        record=record,
        now=MEETING_AT,
    )
    assert held.status == "held"


def test_the_reminder_leaves_the_meeting_the_chair_is_editing_at_its_version(
    session: Session, world: World, sla_in_force: int
) -> None:
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    read = meeting.version  # the chair opens the meeting page
    assert review_schedule.remind_due(session, now=at("2026-04-01")) == 1
    session.expire_all()
    reminded = reviews.get_meeting(session, actor=SYSTEM, meeting_id=meeting.id)
    assert reminded.reminded_at == at("2026-04-01")
    assert reminded.version == read
    saved = reviews.update_meeting(
        session,
        actor=world.actors["manager"],
        meeting_id=meeting.id,
        version=read,
        data=reviews.MeetingData(location="Room 3"),
    )
    session.flush()
    assert (saved.location, saved.version) == ("Room 3", read + 1)
    assert review_schedule.remind_due(session, now=at("2026-04-02")) == 0  # once


def test_the_agenda_lists_a_report_revision_once_with_its_languages(
    session: Session, world: World, sla_in_force: int, tickets: dict[str, int]
) -> None:
    """A revision is published in the three languages at once: one line on the agenda."""
    report_snapshots.publish(
        session, actor=SYSTEM, agreement_id=sla_in_force, period="2026-02", now=MARCH
    )
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    [listed] = meeting.agenda["reports"]
    assert (listed["period"], listed["revision"]) == ("2026-02", 1)
    assert set(listed["languages"]) == {"en", "zh-Hans", "zh-Hant"}
    assert listed["id"] == listed["languages"]["en"]
