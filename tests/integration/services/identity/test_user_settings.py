"""A person's own language and time zone: saved with an audit row, checked, and theirs only."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity import preferences as user_settings
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.shared.errors import Invalid
from tests.integration.factories import World


def test_a_new_account_has_not_chosen_a_zone_yet(session: Session, world: World) -> None:
    mine = user_settings.settings_of(session, actor=world.actors["manager"])
    assert (mine.locale, mine.timezone, mine.zone_chosen) == ("en", "UTC", False)


def test_saving_the_language_and_zone_writes_one_audit_row_of_what_changed(
    session: Session, world: World
) -> None:
    actor = world.actors["customer_rep"]
    saved = user_settings.change_settings(
        session, actor=actor, locale="zh-Hans", timezone=" Asia/Shanghai "
    )
    assert (saved.locale, saved.timezone, saved.zone_chosen) == ("zh_Hans", "Asia/Shanghai", True)
    rows = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "user_account", AuditEntry.actor_id == actor.user_id
        )
    ).all()
    assert [(r.action, r.before, r.after) for r in rows] == [
        (
            "update",
            {"locale": "en", "timezone": "UTC"},
            {"locale": "zh_Hans", "timezone": "Asia/Shanghai"},
        )
    ]
    user_settings.change_settings(session, actor=actor, locale="zh_Hans", timezone="Asia/Shanghai")
    again = session.scalars(select(AuditEntry).where(AuditEntry.actor_id == actor.user_id)).all()
    assert len(again) == 1  # saving the same settings changes nothing and writes nothing


def test_choosing_utc_itself_counts_as_a_choice(session: Session, world: World) -> None:
    saved = user_settings.change_settings(
        session, actor=world.actors["manager"], locale="en", timezone="Etc/UTC"
    )
    assert saved.zone_chosen


@pytest.mark.parametrize(
    ("locale", "zone", "field"),
    [("fr", "Europe/Paris", "locale"), ("en", "Mars/Olympus", "timezone"), ("en", "", "timezone")],
)
def test_an_unknown_language_or_zone_is_refused_naming_its_field(
    session: Session, world: World, locale: str, zone: str, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        user_settings.change_settings(
            session, actor=world.actors["manager"], locale=locale, timezone=zone
        )
    assert refused.value.field == field


def test_mail_to_a_user_who_never_chose_a_zone_is_in_the_agreements_zone_not_utc(
    session: Session, world: World
) -> None:
    chose = identity.create_user(
        session,
        actor=SYSTEM,
        username="lin",
        password="a long enough password 1",
        roles=[],
        email="lin@example.com",
    )
    chose.timezone = "Europe/London"
    identity.create_user(
        session,
        actor=SYSTEM,
        username="wang",
        password="a long enough password 2",
        roles=[],
        email="wang@example.com",
    )
    session.flush()
    zones = report_schedules.recipient_zones(
        session, ["lin@example.com", "wang@example.com", "x@y.io"], "Asia/Shanghai"
    )
    assert zones == {
        "Europe/London": ["lin@example.com"],
        "Asia/Shanghai": ["wang@example.com", "x@y.io"],
    }
