"""Notifications: channels (who is told, how, in which language and zone) and the outbox of
notices on them.

:func:`announce` queues one notice per listening channel inside the caller's transaction —
never twice for the same ``key`` on a channel. A non-urgent notice on a channel with service
hours waits for their next opening. :func:`claim_due`, :func:`send` and :func:`record` deliver
what is due, each notice on its own: a channel that is down is retried with back-off (1, 2, 4…
minutes) and marked failed after :data:`MAX_ATTEMPTS`, and never holds up the others. Every
attempt is recorded on the notice. Delivery is at least once: a worker that dies between
sending and recording sends again after the lease (webhooks carry an ``Idempotency-Key``).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Notification
from servicelevel.db.models import NotificationChannel as NotificationChannel  # re-exported
from servicelevel.db.models.notifications import CHANNEL_KINDS, NOTICE_KINDS
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import notifications as repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.common import Page
from servicelevel.db.sealing import UnreadableSecretError, seal, unseal
from servicelevel.engine.business_time import as_instants
from servicelevel.i18n import LOCALES
from servicelevel.services.calendars.service_hours import business_calendar
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.notifications import notices
from servicelevel.services.shared.errors import Invalid, NotFound
from servicelevel.services.shared.validation import text, time_zone
from servicelevel.services.shared.webhooks import DeliveryError, Post, post_json
from servicelevel.settings import get_settings

MAX_ATTEMPTS = 6
FIELDS = (
    "name",
    "kind",
    "address",
    "locale",
    "timezone",
    "kinds",
    "agreement_id",
    "party_id",
    "hours_calendar_id",
    "active",
)


@dataclass(frozen=True)
class ChannelData:
    name: str
    kind: str
    address: str
    secret: str = ""
    locale: str = "en"
    timezone: str = "UTC"
    notices: list[str] = field(default_factory=list)  # empty: every kind of notice
    agreement_id: int | None = None
    party_id: int | None = None
    hours_calendar_id: int | None = None
    active: bool = True


def _checked(session: Session, data: ChannelData) -> dict[str, Any]:
    """The channel's columns, or an error naming the first field that is wrong."""
    if data.kind not in CHANNEL_KINDS:
        raise Invalid("kind must be one of {kinds}", "kind", kinds=", ".join(CHANNEL_KINDS))
    address = text(data.address, "address", required=True, limit=1000)
    if data.kind == "email":
        if "@" not in parseaddr(address)[1] or " " in address:
            raise Invalid("address must be an email address", "address")
    elif not address.startswith(("http://", "https://")):
        raise Invalid("address must be an http or https URL", "address")
    locale = data.locale.replace("-", "_")
    if locale not in LOCALES:
        raise Invalid("locale must be one of en, zh-Hans, zh-Hant", "locale")
    time_zone(data.timezone)
    unknown = [n for n in data.notices if n not in NOTICE_KINDS]
    if unknown:
        raise Invalid("notices must be among {kinds}", "notices", kinds=", ".join(NOTICE_KINDS))
    _check_refs(session, data)
    return {
        "name": text(data.name, "name", required=True, limit=100),
        "kind": data.kind,
        "address": address,
        "secret": seal(text(data.secret, "secret", limit=200)),  # never stored in clear
        "locale": locale,
        "timezone": data.timezone,
        "kinds": {"notices": sorted(set(data.notices))},
        "agreement_id": data.agreement_id,
        "party_id": data.party_id,
        "hours_calendar_id": data.hours_calendar_id,
        "active": bool(data.active),
    }


def _check_refs(session: Session, data: ChannelData) -> None:
    if data.agreement_id is not None and not agreement_repo.heads(session, [data.agreement_id]):
        raise Invalid("no agreement {id}", "agreement_id", id=data.agreement_id)
    if data.party_id is not None and party_repo.party_by_id(session, data.party_id) is None:
        raise Invalid("no party {id}", "party_id", id=data.party_id)
    calendar = data.hours_calendar_id
    if calendar is not None and calendar_repo.calendar_by_id(session, calendar) is None:
        raise Invalid("no calendar {id}", "hours_calendar_id", id=calendar)


def _check_name_free(session: Session, name: str, channel_id: int | None) -> None:
    """Channel names are unique (``channel_id``: the channel being renamed, which may keep
    its own)."""
    other = repo.channel_named(session, name)
    if other is not None and other.id != channel_id:
        raise Invalid("a channel named {name} exists", "name", name=name)


def create_channel(session: Session, *, actor: Actor, data: ChannelData) -> NotificationChannel:
    require(actor, "notification.manage")
    values = _checked(session, data)
    _check_name_free(session, values["name"], None)
    channel = NotificationChannel(**values)
    session.add(channel)
    audit.record(session, actor, "create", channel, None, audit.snapshot(channel, FIELDS))
    return channel


def update_channel(
    session: Session, *, actor: Actor, channel_id: int, version: int, data: ChannelData
) -> NotificationChannel:
    require(actor, "notification.manage")
    channel = get_channel(session, actor=actor, channel_id=channel_id)
    audit.check_version(channel, version)
    values = _checked(session, data)
    _check_name_free(session, values["name"], channel.id)
    if not values["secret"]:
        values.pop("secret")  # an empty secret keeps the stored one (it is never shown)
    before = audit.snapshot(channel, FIELDS)
    for key, value in values.items():
        setattr(channel, key, value)
    audit.record(session, actor, "update", channel, before, audit.snapshot(channel, FIELDS))
    return channel


def get_channel(session: Session, *, actor: Actor, channel_id: int) -> NotificationChannel:
    require(actor, "notification.read")
    found = repo.channel_by_id(session, channel_id)
    if found is None:
        raise NotFound("no notification channel {id}", id=channel_id)
    return found


def list_channels(session: Session, *, actor: Actor) -> list[NotificationChannel]:
    require(actor, "notification.read")
    return repo.channels(session)


def list_notifications(
    session: Session,
    *,
    actor: Actor,
    channel_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Notification]:
    require(actor, "notification.read")
    return repo.list_notifications(
        session, agreements=None, channel_id=channel_id, status=status, offset=offset, limit=limit
    )


def announce(
    session: Session,
    *,
    agreement_id: int,
    kind: str,
    key: str,
    facts: dict[str, Any],
    urgent: bool,
    now: dt.datetime,
) -> int:
    """Queue the notice on every channel that listens for it; returns how many were queued."""
    heads = agreement_repo.heads(session, [agreement_id])
    if agreement_id not in heads:
        return 0
    listening = [
        c
        for c in repo.listening(session, agreement_id, heads[agreement_id][2])
        if not c.kinds.get("notices") or kind in c.kinds["notices"]
    ]
    told = repo.existing_keys(session, [c.id for c in listening], key)
    queued = 0
    for channel in listening:
        if channel.id in told:
            continue
        at = now if urgent else _opening(session, channel, now)
        session.add(
            Notification(
                channel_id=channel.id,
                agreement_id=agreement_id,
                dedupe_key=key,
                kind=kind,
                urgent=urgent,
                facts=facts,
                next_attempt_at=at,
                created_at=now,
            )
        )
        queued += 1
    session.flush()
    return queued


def _opening(session: Session, channel: NotificationChannel, now: dt.datetime) -> dt.datetime:
    """``now`` inside the channel's service hours, else their next opening."""
    if channel.hours_calendar_id is None:
        return now
    record = calendar_repo.calendar_by_id(session, channel.hours_calendar_id)
    if record is None:
        return now
    opening = business_calendar(record).next_opening(as_instants([int(now.timestamp())]))[0]
    return max(now, dt.datetime.fromtimestamp(int(opening), dt.UTC))


LEASE = dt.timedelta(minutes=5)  # a claimed notice is left alone this long by other workers


@dataclass(frozen=True)
class Parcel:
    """A claimed notice with what sending it needs (no session: sending is I/O only)."""

    notice_id: int
    kind: str
    facts: dict[str, Any]
    channel_kind: str
    address: str
    secret: str  # as stored (sealed): opened only when sending
    locale: str
    timezone: str
    active: bool


@dataclass(frozen=True)
class Outcome:
    sent: int
    retrying: int
    failed: int


def claim_due(session: Session, *, now: dt.datetime, limit: int = 100) -> list[Parcel]:
    """Take the notices whose time has come: each attempt is counted and the notice leased,
    so the worker can commit, send outside any transaction, then :func:`record`."""
    parcels = []
    for notice in repo.due(session, now, limit):
        channel = repo.channel_by_id(session, notice.channel_id)
        notice.attempts += 1
        notice.next_attempt_at = now + LEASE
        parcels.append(
            Parcel(
                notice_id=notice.id,
                kind=notice.kind,
                facts=dict(notice.facts),
                channel_kind=channel.kind if channel else "",
                address=channel.address if channel else "",
                secret=channel.secret if channel else "",
                locale=channel.locale if channel else "en",
                timezone=channel.timezone if channel else "UTC",
                active=bool(channel and channel.active),
            )
        )
    session.flush()
    return parcels


def send(parcel: Parcel, *, now: dt.datetime, post: Post = post_json) -> str | None:
    """Send one notice; returns why it failed (``None``: delivered)."""
    try:
        if not parcel.active:
            raise DeliveryError("the channel is gone or switched off")
        _send(parcel, post, now)
    except DeliveryError as exc:
        return str(exc)[:1000] or "failed"
    return None


def record(session: Session, results: dict[int, str | None], *, now: dt.datetime) -> Outcome:
    """Write down what :func:`send` said for each notice: sent, to retry later, or failed."""
    sent = retrying = failed = 0
    for notice_id, error in results.items():
        notice = repo.notification_by_id(session, notice_id)
        if notice is None:
            continue
        if error is None:
            notice.status, notice.sent_at, notice.last_error = "sent", now, ""
            sent += 1
        elif notice.attempts >= MAX_ATTEMPTS:
            notice.status, notice.last_error, failed = "failed", error, failed + 1
        else:
            notice.last_error, retrying = error, retrying + 1
            notice.next_attempt_at = now + dt.timedelta(minutes=2 ** (notice.attempts - 1))
    session.flush()
    return Outcome(sent, retrying, failed)


def deliver_due(
    session: Session, *, now: dt.datetime, post: Post = post_json, limit: int = 100
) -> Outcome:
    """Claim, send and record in one go (``slm notify deliver``; the worker commits between
    the steps so that no transaction stays open while a channel answers)."""
    parcels = claim_due(session, now=now, limit=limit)
    return record(session, {p.notice_id: send(p, now=now, post=post) for p in parcels}, now=now)


def _send(parcel: Parcel, post: Post, now: dt.datetime) -> None:
    facts = {**parcel.facts, "now": now.isoformat()}
    message = notices.compose(parcel.kind, facts, parcel.locale, parcel.timezone)
    key = f"notification-{parcel.notice_id}"
    if parcel.channel_kind == "email":
        send_email(parcel.address, message, parcel.locale, key)
        return
    try:
        secret = unseal(parcel.secret)  # opened only to send
    except UnreadableSecretError as exc:
        raise DeliveryError(str(exc)) from None
    request = notices.webhook_request(
        parcel.kind,
        parcel.channel_kind,
        parcel.address,
        secret,
        message,
        parcel.facts,
        key,
    )
    answer = post(request.url, request.body, request.headers)
    refused = notices.accepted(parcel.channel_kind, answer)
    if refused:
        raise DeliveryError(refused)


Attachment = tuple[str, bytes, str]  # file name, content, media type (e.g. application/pdf)


def send_email(
    address: str,
    message: notices.Message,
    locale: str,
    key: str,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """One plain-text email (to one address or several, comma-separated) through the
    configured SMTP server (``SLM_SMTP_*``), with any attachments."""
    settings = get_settings()
    if not settings.smtp_host:
        raise DeliveryError("no SMTP server is configured (SLM_SMTP_HOST)")
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = settings.smtp_from, address, message.subject
    mail["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    mail["Message-ID"] = make_msgid(idstring=key)
    mail["Content-Language"] = locale.replace("_", "-")
    mail.set_content(message.text)
    for name, content, media in attachments:
        main, sub = media.split("/", 1)
        mail.add_attachment(content, maintype=main, subtype=sub, filename=name)
    try:
        with _smtp(settings) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}") from None


def _smtp(settings: Any) -> smtplib.SMTP:
    if settings.smtp_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=10)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password)
    return smtp
