"""Shapes shared by every resource: pages of results, instants with an offset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import AfterValidator, BaseModel

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _aware(value: dt.datetime) -> dt.datetime:
    """An instant must say its UTC offset, and lie where calendars are compiled."""
    if value.tzinfo is None:
        raise ValueError("give the instant with a UTC offset, e.g. 2025-03-03T09:00:00+08:00")
    if not 1971 <= value.year <= 2199:
        raise ValueError("instants between the years 1971 and 2199 are supported")
    return value


AwareInstant = Annotated[dt.datetime, AfterValidator(_aware)]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class Paged(Protocol):
    """What a service returns for a list: one page of rows and the count of all."""

    @property
    def items(self) -> Sequence[Any]: ...
    @property
    def total(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...


def page_of(page: Paged, model: type[M]) -> PageOut[M]:
    """A page of records as a page of ``model``."""
    items = [model.model_validate(row) for row in page.items]
    return PageOut[M](items=items, total=page.total, offset=page.offset, limit=page.limit)
