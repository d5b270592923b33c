"""indexes for service reports: period counts from the index, excluded breaches apart

A monthly report counts the measurements of twelve periods by target and status (the trend):
with ``target_key`` and ``status`` in the ``(agreement_id, counted_at)`` index the counts are
read from the index alone instead of visiting every row of the year (issue 17: 0.7 s → 0.14 s
for 270,000 measurements on PostgreSQL). The new index replaces the old one, whose leading
columns it keeps, so recomputation still maintains as many indexes as before.

Reports also ask for a period's excluded breaches three times; they are few among hundreds of
thousands, and a partial index holds only them (its predicate is written as the queries write
it: ``excluded IS true``, ``excluded IS 1`` on SQLite).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_agreement_id_counted_at_target_key_status"),
            ["agreement_id", "counted_at", "target_key", "status"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_measurement_agreement_id_counted_at"))
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.create_index(
            "ix_breach_excluded_agreement_id_breached_at",
            ["agreement_id", "breached_at"],
            unique=False,
            postgresql_where=sa.text("excluded IS true"),
            sqlite_where=sa.text("excluded IS 1"),
        )


def downgrade() -> None:
    with op.batch_alter_table("breach", schema=None) as batch_op:
        batch_op.drop_index("ix_breach_excluded_agreement_id_breached_at")
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measurement_agreement_id_counted_at"),
            ["agreement_id", "counted_at"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_measurement_agreement_id_counted_at_target_key_status"))
