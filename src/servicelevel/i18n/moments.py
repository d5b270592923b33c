"""Instants and days as people read them: one style per language, in the reader's zone.

Every instant shown to a person (pages, PDFs, workbooks, notifications) is written here, so
the same moment reads the same everywhere. The style is Babel's: the locale's medium date
and short time joined by its own date-time pattern — "Jul 7, 2026, 10:00 AM",
"2026年7月7日 10:00", "2026年7月7日 上午10:00". A zone is named by its city in the reader's
language ("(Shanghai time)", "（上海时间）") where a reader could otherwise take the time for
one in another zone. Days (a term's start, a due date) are dates, never shown with a time:
a date-only value formatted as an instant read "午夜12:00:00" before.

Machine formats (CSV, JSON, the API, audit values) stay ISO 8601; they do not come here.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_timezone_gmt,
    get_timezone_location,
)

from servicelevel.i18n import translator

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Zulu"})
# The regions of the zone picker (IANA's areas), in the order offered, with their names.
REGIONS = {
    "Asia": "Asia",
    "Europe": "Europe",
    "America": "Americas",
    "Africa": "Africa",
    "Australia": "Australia",
    "Pacific": "Pacific Ocean",
    "Atlantic": "Atlantic Ocean",
    "Indian": "Indian Ocean",
    "Antarctica": "Antarctica",
}


def zone_of(name: str | None) -> ZoneInfo:
    """The zone ``name`` names, UTC for none or one this machine does not know (a stored
    setting never makes a page fail)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _babel(locale: str) -> Locale:
    return translator(locale.replace("-", "_")).babel_locale


def _local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone)


def day(value: dt.date | str | None, locale: str, zone: str | None = None) -> str:
    """A calendar day ("Jul 7, 2026"); an instant gives its day in ``zone``. Stored figures
    and agendas keep days as ISO text, so that is read too."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = _local(value, zone_of(zone)).date()
    return format_date(value, "medium", locale=_babel(locale))


def short_day(value: dt.date, locale: str) -> str:
    """A day within a year the reader knows from context, as on a chart's axis: "Dec 3",
    "12月3日"."""
    return str(format_skeleton("MMMd", value, locale=_babel(locale)))


def clock(value: dt.datetime | None, locale: str, zone: str | None) -> str:
    """The time of day of an instant in ``zone`` ("10:00 AM", "10:00")."""
    if value is None:
        return "—"
    return format_time(_local(value, zone_of(zone)), "short", locale=_babel(locale))


def moment(value: dt.date | str | None, locale: str, zone: str | None) -> str:
    """An instant in ``zone`` without naming the zone (a page whose every time is in the
    reader's zone); a plain date is shown as a day; ISO text (stored agendas and figures)
    is read first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        return day(value, locale)
    babel = _babel(locale)
    local = _local(value, zone_of(zone))
    pattern = str(babel.datetime_formats["medium"])
    return pattern.replace("{1}", format_date(local.date(), "medium", locale=babel)).replace(
        "{0}", format_time(local, "short", locale=babel)
    )


def zone_name(zone: str | None, locale: str) -> str:
    """A zone as a reader says it: its city ("Shanghai", "上海"), or "UTC" in words."""
    found = zone_of(zone)
    if found.key in UTC_NAMES:
        return translator(locale.replace("-", "_")).gettext("Coordinated Universal Time")
    return str(get_timezone_location(found, locale=_babel(locale), return_city=True))


def zone_label(zone: str | None, locale: str) -> str:
    """How a reader names the zone their times are in: "Shanghai time", "上海时间", "UTC"."""
    t = translator(locale.replace("-", "_"))
    if zone_of(zone).key in UTC_NAMES:
        return t.gettext("UTC")
    return t.gettext("{city} time").format(city=zone_name(zone, locale))


def named(value: dt.date | str | None, locale: str, zone: str | None) -> str:
    """An instant in ``zone`` with the zone named: "Jul 7, 2026, 10:00 AM (Shanghai time)"."""
    if value is None or value == "":
        return "—"
    t = translator(locale.replace("-", "_"))
    when = moment(value, locale, zone)
    return t.gettext("{when} ({zone})").format(when=when, zone=zone_label(zone, locale))


def bound(value: dt.datetime | None, locale: str, reader: str | None, agreed: str | None) -> str:
    """An agreement-bound instant (a deadline, a meeting): in the reader's zone, named, and
    also in the agreement's zone when that is another one (the wall clock the parties agreed
    on)."""
    if value is None or zone_of(reader).key == zone_of(agreed).key:
        return named(value, locale, reader)
    return f"{named(value, locale, reader)} · {named(value, locale, agreed)}"


def offset(zone: str, locale: str, now: dt.datetime) -> str:
    """The zone's offset from UTC at ``now`` ("GMT+08:00"), to tell zones apart in a list."""
    return str(get_timezone_gmt(_local(now, zone_of(zone)), locale=_babel(locale)))


@cache
def _zones() -> tuple[str, ...]:
    """The canonical zones of the regions (an alias such as Asia/Chongqing would repeat
    Shanghai's line)."""
    aliases = get_global("zone_aliases")
    return tuple(
        sorted(z for z in available_timezones() if z.split("/")[0] in REGIONS and z not in aliases)
    )


def zone_choices(locale: str, now: dt.datetime) -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones a person can pick, grouped by region: ``[(region, [(zone, label)])]``, each
    label the city in ``locale`` and its offset now; UTC first, on its own."""
    t = translator(locale.replace("-", "_"))
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for zone in _zones():
        label = f"{zone_name(zone, locale)} ({offset(zone, locale, now)})"
        groups[zone.split("/")[0]].append((zone, label))
    utc = [("Etc/UTC", zone_name("UTC", locale))]
    return [(t.gettext("Coordinated Universal Time"), utc)] + [
        (t.gettext(REGIONS[region]), _unique(sorted(items, key=lambda item: item[1])))
        for region, items in groups.items()
    ]


NOT_CHOSEN = "UTC"  # a user's zone until they pick one (an explicit pick of UTC is "Etc/UTC")


def reader_zone(chosen: str | None, browser: str | None) -> str:
    """The zone to show a person's instants in: the one they chose, else their browser's
    (reported by web/static/timezone.js), else UTC."""
    if chosen and chosen != NOT_CHOSEN:
        return zone_of(chosen).key
    return zone_of(browser).key if browser else "UTC"


def _unique(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The first zone of each label (two zones that read alike would be one choice twice)."""
    seen: dict[str, str] = {}
    for zone, label in items:
        seen.setdefault(label, zone)
    return [(zone, label) for label, zone in seen.items()]
