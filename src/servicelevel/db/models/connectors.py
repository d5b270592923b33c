"""Connections to other ticket systems, their run history, and stored ticket mappings.

A connection names a source (kind and base URL), the mapping that reads its records, its
kind-specific settings and how to find its secret (an environment variable or a file: the secret
itself is never stored). ``cursor`` is where the next pull resumes; it is written after each
stored page, so a run that stops half-way resumes there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

CONNECTION_STATES = ("idle", "running", "ok", "failed")
RUN_OUTCOMES = ("running", "ok", "failed")
MAX_MAPPING_TEXT = 256 * 1024  # characters of a stored mapping's YAML


class Connection(Timestamped, Versioned, Base):
    """A source of tickets pulled on a schedule or on demand."""

    __tablename__ = "connection"
    __table_args__ = (CheckConstraint(one_of("state", CONNECTION_STATES), name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # rt, servicenow, jira, rest
    base_url: Mapped[str] = mapped_column(String(1000))
    mapping: Mapped[str] = mapped_column(String(64))  # a shipped or stored ticket mapping
    # kind-specific settings and {"auth": {kind, username, secret_env | secret_file}}
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interval_seconds: Mapped[int | None] = mapped_column(default=None)  # None: on demand only
    backfill_from: Mapped[dt.datetime | None] = mapped_column(default=None)
    enabled: Mapped[bool] = mapped_column(default=True)
    cursor: Mapped[str | None] = mapped_column(Text, default=None)
    state: Mapped[str] = mapped_column(String(10), default="idle")
    last_run_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    write_back: Mapped[bool] = mapped_column(default=False)


class ConnectionRun(Base):
    """One pull of a connection: what it read and stored, or why it failed."""

    __tablename__ = "connection_run"
    __table_args__ = (CheckConstraint(one_of("outcome", RUN_OUTCOMES), name="outcome_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connection.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    pages: Mapped[int] = mapped_column(default=0)
    records: Mapped[int] = mapped_column(default=0)
    stored: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class TicketMapping(Timestamped, Base):
    """A ticket mapping kept in the database (its YAML text), used by name like a shipped one."""

    __tablename__ = "ticket_mapping"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    definition: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100), default="")
