"""agreement_target.held_by: a target counted while one team holds the ticket

An OLA promises what one team does with a ticket while the team has it: its targets name the
team (as the tickets name it) and their clocks run only while that team holds the ticket
(``servicelevel.engine.holding``, issue 16). Empty for every target before.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agreement_target", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_by", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_target", schema=None) as batch_op:
        batch_op.drop_column("held_by")
