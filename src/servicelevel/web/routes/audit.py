"""The audit trail, newest first: who did what to which object, and what changed — filtered by
object, user and period, a page of entries at a time."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import NAMES, Translator, moments, translator
from servicelevel.services.identity import trail as audit_trail
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.web import audit_labels, forms, labels
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import language, render, time_zone

router = APIRouter(prefix="/audit")
PER_PAGE = 50
# coded values shown in words: by (object type, field), else by field
CODED: dict[tuple[str, str], dict[str, str]] = {
    ("agreement", "status"): labels.AGREEMENT_STATES,
    ("agreement", "state"): labels.VERSION_STATES,  # a new version's state
    ("agreement", "kind"): labels.AGREEMENT_KINDS,
    ("agreement", "review_frequency"): labels.REVIEWS,
    ("agreement_version", "state"): labels.VERSION_STATES,
    ("agreement_version", "review"): labels.REVIEWS,
    ("service", "status"): labels.SERVICE_STATES,
    ("requirement", "status"): labels.REQUIREMENT_STATES,
    ("change_request", "status"): labels.CHANGE_STATES,
    ("review_meeting", "status"): labels.MEETING_STATES,
    ("review_meeting", "outcome"): labels.MEETING_OUTCOMES,
    ("improvement_plan", "status"): labels.PLAN_STATES,
    ("improvement_plan", "origin"): labels.PLAN_ORIGINS,
    ("improvement_action", "status"): labels.ACTION_STATES,
    ("work_item", "kind"): labels.WORK_KINDS,
    ("work_item", "trigger"): labels.TRIGGERS,
    ("notification_channel", "kind"): labels.CHANNEL_KINDS,
    ("breach", "status"): labels.BREACH_STATES,
    ("user_account", "roles"): labels.ROLES,
    ("party", "kind"): labels.PARTY_KINDS,
    ("review_meeting", "participants"): labels.PARTICIPANT_ROLES,  # [role, name, attended]
    ("review_participant", "role"): labels.PARTICIPANT_ROLES,
}
BY_FIELD: dict[str, dict[str, str]] = {  # fields that mean the same on every object
    "as": labels.ROLES,
    "signed_as": labels.ROLES,
    "side": labels.SIDES,
    "roles": labels.ROLES,
    "delivery": labels.DELIVERY,
    "locale": NAMES,
    "language": {tag.replace("_", "-"): name for tag, name in NAMES.items()},
    "metric": labels.METRICS,
}
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")


@router.get("")
def audit(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    object_type: Annotated[str, Query(max_length=60)] = "",
    object_id: Annotated[str, Query(max_length=64)] = "",
    user: Annotated[str, Query(max_length=20)] = "",
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    chosen = {
        "object_type": object_type.strip(),
        "object_id": object_id.strip(),
        "user": user.strip(),
        "from": start.strip(),
        "to": end.strip(),
    }
    try:
        since, until = _period(chosen["from"], chosen["to"])
        trail = audit_trail.read_trail(
            db,
            actor=visitor.actor,
            object_type=chosen["object_type"] or None,
            object_id=chosen["object_id"] or None,
            actor_id=_user_id(chosen["user"]),
            since=since,
            until=until,
            offset=(page - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    except ServiceError as error:
        if error.status == 403:
            raise
        empty = audit_trail.no_entries(db, actor=visitor.actor, limit=PER_PAGE)
        return _page(request, visitor, chosen, page, empty, error)
    return _page(request, visitor, chosen, page, trail, None)


def _page(
    request: Request,
    visitor: UserDep,
    chosen: dict[str, str],
    page: int,
    trail: audit_trail.Trail,
    error: ServiceError | None,
) -> Response:
    wanted = {k: v for k, v in chosen.items() if v}
    t = translator(language(request))
    zone = time_zone(request)
    return render(
        request,
        "audit/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        status=error.status if error else 200,
        trail=trail,
        error=error,
        chosen=chosen,
        number_of_page=page,
        per_page=PER_PAGE,
        link=lambda **changes: "/audit?" + urlencode({**wanted, **changes}),
        labels=labels,
        show=lambda value, kind, path: shown(value, coded(kind, path[-1]), t, zone),
    )


def _user_id(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise Invalid("choose a user from the list", "user")
    return int(text)


def _period(start: str, end: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of the first day to the end of the last (UTC, the times the page shows)."""
    first, last = forms.day(start, "from"), forms.day(end, "to")
    since = dt.datetime.combine(first, dt.time(), dt.UTC) if first else None
    until = dt.datetime.combine(last, dt.time(), dt.UTC) + dt.timedelta(days=1) if last else None
    return since, until


def coded(kind: str, field: str) -> dict[str, str] | None:
    """The labels of a field's codes: by object type and field, else by the field alone."""
    return CODED.get((kind, field)) or BY_FIELD.get(field)


def shown(value: Any, coded: dict[str, str] | None, t: Translator, zone: str | None = None) -> str:
    """A stored value in words: nothing as a dash, yes/no, lists joined, mappings as
    ``field: value``, codes (states, kinds, roles) by their label, instants in the reader's
    zone and style."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t.gettext("Yes" if value else "No")
    if isinstance(value, dict):
        return "; ".join(f"{_field(str(k), t)}: {shown(v, coded, t)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(
            f"[{shown(v, coded, t)}]" if isinstance(v, list) else shown(v, coded, t) for v in value
        )
    text = str(value)
    if INSTANT.fullmatch(text):
        return moments.moment(text, t.locale, zone)
    return t.gettext(coded[text]) if coded and text in coded else text


def _field(name: str, t: Translator) -> str:
    return t.gettext(audit_labels.AUDIT_FIELDS[name]) if name in audit_labels.AUDIT_FIELDS else name
