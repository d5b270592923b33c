"""Query helpers shared by repositories: pagination with a total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


def paginate(session: Session, query: Select[Any], offset: int, limit: int) -> Page[Any]:
    """One page of ``query`` and the count of all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.offset(offset).limit(limit)))
    return Page(rows, int(total or 0), offset, limit)


def period_index(at: Any, bounds: list[dt.datetime]) -> Any:
    """Which of the consecutive periods ``[bounds[i], bounds[i + 1])`` ``at`` falls in (an SQL
    expression; ``-1`` outside them), so that one query counts many periods at once."""
    return case(*[(at < b, i - 1) for i, b in enumerate(bounds)], else_=-1)
