"""Shapes shared by every resource: pages of results, instants with an offset, ids and
optimistic-lock counters.

Names kept apart across the API: ``number`` is an agreement version's number (1, 2, …; in
paths ``/versions/{number}``, and ``version_number`` where another record refers to one);
``lock_version`` is a record's optimistic-lock counter, read with the record and sent back
with a change (a stale one is a 409). A field called plain ``version`` appears nowhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import AfterValidator, AliasChoices, BaseModel, Field

T = TypeVar("T")
BIGINT = 2**63 - 1  # ids and lock counters are 64-bit in the database
Id = Annotated[int, Field(ge=1, le=BIGINT, description="A record's id.")]
LockVersion = Annotated[
    int,
    Field(
        ge=1,
        le=BIGINT,
        description="The lock_version you read with the record; a newer one is a conflict (409).",
    ),
]
LockVersionOut = Annotated[
    int,
    Field(
        validation_alias=AliasChoices("lock_version", "version"),
        description="Optimistic-lock counter: send it back as lock_version with a change.",
    ),
]
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


def page_of_list(rows: Sequence[T], offset: int, limit: int) -> PageOut[T]:
    """One page of a list a service gives whole (short lists: an agreement's comments, a
    schedule's runs…), in the shape every list answers."""
    return PageOut[T](
        items=list(rows[offset : offset + limit]), total=len(rows), offset=offset, limit=limit
    )
