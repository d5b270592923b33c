"""Customer satisfaction survey results as CSV: one answer a row.

Columns: ``customer`` (a party code), ``date`` (YYYY-MM-DD), ``score``; optional ``service``
(a service code), ``scale`` (the best score, 5 when absent), ``respondent``, ``comments``.
Every bad row is listed with its line, so a file is fixed in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from servicelevel.definitions.tickets import parse_rows

REQUIRED = ("customer", "date", "score")


@dataclass(frozen=True)
class SurveyRow:
    line: int
    customer: str
    service: str
    answered_on: dt.date
    score: float
    scale: int
    respondent: str
    comments: str


def parse_survey_csv(lines: Iterable[str], name: str) -> list[SurveyRow]:
    return parse_rows(lines, name, REQUIRED, _row)


def _row(line: int, row: dict[str, str]) -> SurveyRow:
    def cell(key: str) -> str:
        return (row.get(key) or "").strip()

    if not cell("customer"):
        raise ValueError("customer: a party code is needed")
    try:
        answered = dt.date.fromisoformat(cell("date"))
    except ValueError:
        raise ValueError(f"date: {cell('date')!r} is not a date like 2026-03-31") from None
    try:
        score = float(cell("score"))
        scale = int(cell("scale") or 5)
    except ValueError:
        raise ValueError("score and scale must be numbers") from None
    if not 1 <= scale <= 100:
        raise ValueError("scale: the best score must be between 1 and 100")
    if not 0 <= score <= scale:
        raise ValueError(f"score: {score:g} is outside 0–{scale}")
    return SurveyRow(
        line,
        cell("customer"),
        cell("service"),
        answered,
        score,
        scale,
        cell("respondent")[:200],
        cell("comments")[:4000],
    )
