"""channel secrets as text

A sealed secret (``servicelevel.db.sealing``) is longer than the text typed: a Fernet token is
base64 of the UTF-8 bytes plus padding and a 57-byte frame, so 200 characters of Chinese (600
bytes) became some 900 characters and overflowed ``VARCHAR(500)`` on PostgreSQL. The column
holds any length now.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification_channel", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.String(length=500),
            type_=sa.Text(),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("notification_channel", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.Text(),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
