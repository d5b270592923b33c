"""ServiceNow's answers read: the rows of a Table API answer, a field's stored value and its
display value (``sysparm_display_value=all`` gives both), stored instants (UTC, to the second)
checked and written as the incident export writes them, and the cursor a pull stores.

Whatever the instance answers is checked here: an answer without a result list, an instant that
is not one or a cursor that is not ServiceNow's is a :class:`ConnectorError` naming it, never
taken for something else.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from servicelevel.connectors.base import ConnectorError

SN_TIME = "%Y-%m-%d %H:%M:%S"
EXPORT_TIME = "%d/%m/%Y %H:%M"
START = "1970-01-01 00:00:00"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")


def parse_cursor(text: str) -> tuple[str, str]:
    """A stored cursor as (``sys_updated_on``, ``sys_id``); anything else is an error naming
    it, so a damaged cursor is never taken as "from the start"."""
    stamp, sep, sys_id = text.partition("|")
    try:
        dt.datetime.strptime(stamp, SN_TIME)  # noqa: DTZ007 - a stored value, UTC
    except ValueError:
        sep = ""
    if not sep or (sys_id and not SYS_ID.match(sys_id)):
        raise ConnectorError(
            f"the cursor {text[:80]!r} is not a ServiceNow cursor "
            "('YYYY-MM-DD HH:MM:SS|<sys_id>'): clear it to pull again from the backfill date"
        )
    return stamp, sys_id


def result_rows(answer: Any, table: str) -> list[dict[str, Any]]:
    """The rows of a Table API answer (its ``result`` list)."""
    rows = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConnectorError(f"ServiceNow's {table} answer has no result list")
    return rows


def stored_value(row: dict[str, Any], field: str) -> str:
    """A field's stored value (``sysparm_display_value=all`` gives value and display value)."""
    value = row.get(field)
    if isinstance(value, dict):
        value = value.get("value")
    return "" if value is None else str(value)


def display_value(row: dict[str, Any], field: str) -> str:
    """A field's value as people see it (its display value)."""
    value = row.get(field)
    if isinstance(value, dict):
        value = value.get("display_value")
    return "" if value is None else str(value)


def position_of(row: dict[str, Any]) -> tuple[str, str]:
    """An incident's place in the pull's order: (``sys_updated_on``, ``sys_id``), checked."""
    stamp = checked_stamp(stored_value(row, "sys_updated_on"), "an incident's sys_updated_on")
    sys_id = stored_value(row, "sys_id")
    if not SYS_ID.match(sys_id):
        raise ConnectorError(f"ServiceNow answered an incident whose sys_id is {sys_id[:40]!r}")
    return stamp, sys_id


def checked_stamp(text: str, what: str) -> str:
    """A stored instant (``2016-02-29 01:23:00``, UTC), checked."""
    try:
        return dt.datetime.strptime(text, SN_TIME).strftime(SN_TIME)  # noqa: DTZ007 - UTC
    except ValueError:
        raise ConnectorError(f"{what}: {text[:40]!r} is not an instant") from None


def export_time(stamp: str) -> str:
    """A stored instant as the incident export writes it (the shipped mapping's format)."""
    return dt.datetime.strptime(stamp, SN_TIME).strftime(EXPORT_TIME)  # noqa: DTZ007 - UTC


def count_of(text: str | None) -> int | None:
    """A count the instance answered (a header, a checkpoint), or None when it is not one."""
    return int(text) if text is not None and text.strip().isdigit() else None
