"""connections: pulling tickets from other systems, and stored ticket mappings

``connection`` names a source (ServiceNow, Jira, RT, any JSON API), the mapping that reads its
records, its settings (how to find the secret, never the secret) and the cursor the next pull
resumes from; ``connection_run`` is each pull's history; ``ticket_mapping`` keeps mappings
written by people, used by name like the shipped ones (issue 16).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicelevel.db.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = servicelevel.db.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "connection",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=1000), nullable=False),
        sa.Column("mapping", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("interval_seconds", ID, nullable=True),
        sa.Column("backfill_from", INSTANT, nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("last_run_at", INSTANT, nullable=True),
        sa.Column("last_success_at", INSTANT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("write_back", sa.Boolean(), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('idle', 'running', 'ok', 'failed')",
            name=op.f("ck_connection_state_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("name", name=op.f("uq_connection_name")),
    )
    op.create_table(
        "connection_run",
        sa.Column("id", ID, nullable=False),
        sa.Column("connection_id", ID, nullable=False),
        sa.Column("started_at", INSTANT, nullable=False),
        sa.Column("finished_at", INSTANT, nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("pages", ID, nullable=False),
        sa.Column("records", ID, nullable=False),
        sa.Column("stored", ID, nullable=False),
        sa.Column("duplicates", ID, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('running', 'ok', 'failed')",
            name=op.f("ck_connection_run_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_connection_run_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection_run")),
    )
    with op.batch_alter_table("connection_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connection_run_connection_id"), ["connection_id"], unique=False
        )
    op.create_table(
        "ticket_mapping",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_mapping")),
        sa.UniqueConstraint("name", name=op.f("uq_ticket_mapping_name")),
    )


def downgrade() -> None:
    op.drop_table("ticket_mapping")
    with op.batch_alter_table("connection_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connection_run_connection_id"))
    op.drop_table("connection_run")
    op.drop_table("connection")
