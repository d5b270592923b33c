"""A person's own settings: the language and the time zone their pages, documents and mails
are written in.

A user's zone starts as ``UTC`` meaning "not chosen yet" (pages then follow the browser's
zone, see :func:`servicelevel.i18n.moments.reader_zone`); a person who wants UTC itself picks
``Etc/UTC``. Everyone may change their own settings, nobody else's through this use case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories import identity as repo
from servicelevel.i18n import LOCALES
from servicelevel.i18n.moments import NOT_CHOSEN
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Invalid, NotFound
from servicelevel.services.shared.validation import time_zone

FIELDS = ("locale", "timezone")


@dataclass(frozen=True)
class Settings:
    locale: str
    timezone: str

    @property
    def zone_chosen(self) -> bool:
        """False while the zone is still the one every account starts with."""
        return self.timezone != NOT_CHOSEN


def settings_of(session: Session, *, actor: Actor) -> Settings:
    """The acting user's own settings."""
    user = repo.user_by_id(session, actor.user_id or -1)
    if user is None:
        raise NotFound("no such user")
    return Settings(user.locale, user.timezone)


def change_settings(session: Session, *, actor: Actor, locale: str, timezone: str) -> Settings:
    """Set the acting user's language and time zone (an audit row when something changed)."""
    user = repo.user_by_id(session, actor.user_id or -1)
    if user is None:
        raise NotFound("no such user")
    locale = locale.replace("-", "_")
    if locale not in LOCALES:
        raise Invalid("locale must be one of en, zh-Hans, zh-Hant", "locale")
    zone = time_zone(timezone.strip())
    before = audit.snapshot(user, FIELDS)
    user.locale, user.timezone = locale, zone
    audit.record_update(session, actor, user, before, audit.snapshot(user, FIELDS))
    return Settings(user.locale, user.timezone)
