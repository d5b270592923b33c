"""A ticket event as it arrives (SLM4 data), its identity, and the checks a batch of them
passes before anything is stored.

Each event says what happened to a ticket of a source system (``servicenow``, ``jira``, an
integration's name…) and the ticket's state after it. Its fingerprint is what makes the same
event sent twice the same event; :func:`batch_problems` names every bad event of a batch by its
position, so that ingestion can refuse the whole batch at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from servicelevel.services.shared.errors import Invalid
from servicelevel.settings import get_settings

LIMITS = {
    "ticket": 100,
    "state": 60,
    "event": 60,
    "service": 64,
    "customer": 64,
    "priority": 40,
    "category": 100,
    "title": 500,
    "key": 200,
}
ATTRIBUTES = ("priority", "category", "title")


@dataclass(frozen=True)
class EventData:
    ticket: str  # the ticket's number in its source system
    at: dt.datetime  # with its UTC offset
    state: str  # the ticket's state after the event
    event: str = ""  # created, responded, resolved, reopened…
    service: str = ""  # a catalog service code (needed on a new ticket's first event)
    customer: str = ""  # a party code
    priority: str = ""
    category: str = ""
    title: str = ""
    key: str = ""  # the source's own id of the event, when it has one
    # what else the source says (an export's other columns), where it changed: kept as history
    attributes: dict[str, str] = field(default_factory=dict)
    # the attributes as they stand after the event, when known (an export's row): part of the
    # event's identity instead of ``attributes``, which depend on the rows read before it — a
    # row must be the same event in a full export and in an export of the latest changes
    standing: dict[str, str] | None = None

    def fingerprint(self) -> str:
        """The event's identity: the source's key when given (two updates in the same minute
        with the same content are then still two events), else everything it says."""
        if self.key:
            return hashlib.sha256(f"{self.ticket}\x1f{self.key}".encode()).hexdigest()
        parts = (
            self.ticket,
            self.at.astimezone(dt.UTC).isoformat(),
            self.state,
            self.event,
            self.service,
            self.customer,
            self.priority,
            self.category,
            self.title,
            *(f"{k}\x1e{v}" for k, v in sorted((self.standing or self.attributes).items())),
        )
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def batch_problems(events: list[EventData], customers: dict[str, int]) -> list[dict[str, object]]:
    """What is wrong with the batch's events, each problem naming its row (1-based), field
    and message; ``customers`` are the codes of the customers that exist."""
    found: list[dict[str, object]] = []
    latest = dt.datetime.now(dt.UTC) + future_skew()
    for row, e in enumerate(events, start=1):  # rows are 1-based positions in the batch
        for name, limit in LIMITS.items():
            value = getattr(e, name)
            if not isinstance(value, str) or "\x00" in value or len(value) > limit:
                found.append(
                    {
                        "row": row,
                        "field": name,
                        "message": f"{name} must be text of at most {limit} characters",
                    }
                )
        if not e.ticket.strip():
            found.append({"row": row, "field": "ticket", "message": "a ticket number is required"})
        if not e.state.strip():
            found.append(
                {"row": row, "field": "state", "message": "the state after the event is required"}
            )
        if e.at.tzinfo is None or not 1971 <= e.at.year <= 2199:
            found.append(
                {
                    "row": row,
                    "field": "at",
                    "message": "an instant with a UTC offset, between 1971 and 2199",
                }
            )
        elif e.at > latest:
            found.append({"row": row, "field": "at", "message": _too_late(e, latest)})
        found.extend(_attribute_problems(row, e))
        if e.customer and e.customer not in customers:
            found.append({"row": row, "field": "customer", "message": f"no customer {e.customer}"})
    return found


MAX_ATTRIBUTES = 200  # per event; an export has tens of columns


def _attribute_problems(row: int, e: EventData) -> list[dict[str, object]]:
    """Attributes are short texts under short names (they are stored on every change)."""
    attributes = e.attributes
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        message = f"at most {MAX_ATTRIBUTES} attributes, names to text"
        return [{"row": row, "field": "attributes", "message": message}]
    return [
        {
            "row": row,
            "field": "attributes",
            "message": f"attribute {str(k)[:64]!r}: a name of at most 64 characters "
            "and a text of at most 500",
        }
        for k, v in attributes.items()
        if not (_text(k, 64) and k.strip() and _text(v, 500))
    ]


def _text(value: object, limit: int) -> bool:
    return isinstance(value, str) and "\x00" not in value and len(value) <= limit


def future_skew() -> dt.timedelta:
    """How far ahead of this server's clock an event may be dated (``SLM_FUTURE_SKEW_SECONDS``):
    clocks disagree a little, an event dated next year is a mistake in the data."""
    return dt.timedelta(seconds=get_settings().future_skew_seconds)


def _too_late(e: EventData, latest: dt.datetime) -> str:
    return (
        f"the event of {e.ticket[:100]} ({e.state[:60]}) is dated {e.at.isoformat()}, later than "
        f"{latest.replace(microsecond=0).isoformat()} (now plus SLM_FUTURE_SKEW_SECONDS)"
    )


def checked_source(source: str) -> str:
    """The name of the source system the events come from (required, at most 40 characters)."""
    source = source.strip()
    if not source or len(source) > 40 or "\x00" in source:
        raise Invalid("a source of at most 40 characters is required", "source")
    return source
