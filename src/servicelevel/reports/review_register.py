"""The review register (服务级别协议定期评审登记表) — one of the SLM process's outputs — as a
workbook and as a printable document (PDF), in the reader's language, from the same rows
(:func:`servicelevel.services.reviews.register.register`)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from openpyxl import Workbook
from openpyxl.styles import Font

from servicelevel.i18n import moments, translator
from servicelevel.reports.pdf import pdf_of
from servicelevel.services.agreements.printing import FONTS
from servicelevel.services.reviews.register import RegisterRow

COLUMNS = (
    ("agreement", "Agreement"),
    ("agreement_title", "Title"),
    ("kind", "Kind"),
    ("counterparty", "Counterparty"),
    ("period", "Period reviewed"),
    ("scheduled_at", "Scheduled"),
    ("chair", "Chair"),
    ("status", "Status"),
    ("overdue", "Overdue"),
    ("outcome", "Outcome"),
    ("held_at", "Held"),
    ("attended", "Attended"),
    ("invited", "Invited"),
    ("decisions", "Decisions"),
    ("actions_open", "Open actions"),
    ("actions_done", "Actions done"),
)
INSTANTS = ("scheduled_at", "held_at")
WORDS = {
    "scheduled": "Scheduled",
    "held": "Held",
    "cancelled": "Cancelled",
    "on_track": "On track",
    "improve": "Improvement needed",
    "revise": "Revise the agreement",
    "terminate": "End the agreement",
    True: "Yes",
    False: "No",
}
# A cell's words up to this long (a status, a date, a time; every heading) are never broken:
# Pango would break a two-character Chinese word, or a date, between its characters to narrow
# a column. Lines break at the spaces between them; longer words may still break.
WORD = 12
PAGE = Environment(autoescape=True).from_string(
    """{% macro words(text) %}{% for w in (text|string).split(" ") -%}
{% if not loop.first %} {% endif -%}
<span{% if w|length <= WORD %} class="w"{% endif %}>{{ w }}</span>
{%- endfor %}{% endmacro -%}
<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8"><style>
@page { size: A4 landscape; margin: 14mm; }
body { font-family: {{ font|safe }}; font-size: 9pt; }
h1 { font-size: 15pt; } table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #999; padding: 3pt; text-align: left; vertical-align: top; }
.w { white-space: nowrap; }
th { background: #eef; }
</style></head><body><h1>{{ title }}</h1><p>{{ made }}</p><table><thead><tr>
{% for h in heads %}<th>{{ words(h) }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>
{%- for cell in row %}<td>{{ words(cell) }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></body></html>"""
)


def _cells(row: RegisterRow, locale: str, zone: ZoneInfo, *, text: bool) -> list[Any]:
    t = translator(locale)
    out: list[Any] = []
    for key, _ in COLUMNS:
        value = getattr(row, key)
        if isinstance(value, dt.datetime):
            value = (
                moments.moment(value, locale, zone.key)
                if text
                else value.astimezone(zone).replace(tzinfo=None)
            )
        elif value in WORDS and key in ("status", "outcome", "overdue"):
            value = t.gettext(WORDS[value])
        out.append("" if value is None else value)
    return out


def _heads(locale: str, timezone: str) -> list[str]:
    """The column heads; those of instants name the zone their cells are in (a workbook's
    datetimes carry none)."""
    t, zone = translator(locale), moments.zone_label(timezone, locale)
    return [
        t.gettext("{label} ({zone})").format(label=t.gettext(label), zone=zone)
        if key in INSTANTS
        else t.gettext(label)
        for key, label in COLUMNS
    ]


def xlsx_of(rows: list[RegisterRow], locale: str, timezone: str = "UTC") -> bytes:
    """One sheet, a header row and a row per review; instants in ``timezone``."""
    zone = ZoneInfo(timezone)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Register"
    sheet.append(_heads(locale, timezone))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_cells(row, locale, zone, text=False))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def html_of(
    rows: list[RegisterRow], locale: str, timezone: str = "UTC", now: dt.datetime | None = None
) -> str:
    t, zone = translator(locale), ZoneInfo(timezone)
    made = moments.named(now or dt.datetime.now(dt.UTC), locale, zone.key)
    return PAGE.render(
        lang=locale.replace("_", "-"),
        font=FONTS.get(locale.replace("_", "-"), FONTS["en"]),
        WORD=WORD,
        title=t.gettext("SLA review register"),
        made=t.gettext("As of {when}").format(when=made),
        heads=[t.gettext(label) for _, label in COLUMNS],
        rows=[_cells(r, locale, zone, text=True) for r in rows],
    )


def pdf_bytes(rows: list[RegisterRow], locale: str, timezone: str = "UTC") -> bytes:
    return pdf_of(html_of(rows, locale, timezone))
