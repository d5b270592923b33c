"""The names every connector codes to: a page of source records, credentials, a source.

A source yields pages in cursor order; each page's cursor may be stored once the page's records
are, so a run that stops half-way resumes where the last stored page ended, and a run that reads
a page twice stores nothing twice (ingestion's fingerprints).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

AuthKind = Literal["none", "basic", "bearer", "token_header"]
AUTH_KINDS: tuple[AuthKind, ...] = ("none", "basic", "bearer", "token_header")


class ConnectorError(Exception):
    """A source could not be read; the message is safe to show users (no secret, no stack)."""


@dataclass(frozen=True)
class Page:
    """Source records (JSON objects, read with a ticket mapping) and where the next pull resumes
    once they are stored (opaque text)."""

    records: list[dict[str, Any]]
    cursor: str | None


@dataclass(frozen=True)
class Auth:
    """How requests prove who they are; the secret is resolved at run time from an environment
    variable or a file and is never stored in the database or in git."""

    kind: AuthKind
    username: str = ""
    secret: str = ""
    header: str = "Authorization"  # for token_header

    def __repr__(self) -> str:
        """Never print the secret (a repr lands in logs and tracebacks)."""
        return f"Auth(kind={self.kind!r}, username={self.username!r}, header={self.header!r})"


class Source(Protocol):
    """A ticket system read page by page."""

    kind: ClassVar[str]

    def pages(self, *, cursor: str | None, since: dt.datetime | None) -> Iterator[Page]:
        """Records changed after ``cursor`` (or from ``since``, the backfill date, when there is
        no cursor yet), in cursor order."""
        ...


class WriteBack(Protocol):
    """A source that can also set fields on a ticket (only some sources)."""

    def write_back(self, *, ticket: str, fields: dict[str, str]) -> None:
        """Set ``fields`` on ``ticket`` in the source system."""
        ...
