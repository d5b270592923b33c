"""sessions end server-side, channel secrets sealed

Users get a ``session_generation`` (browser sessions carry it; signing out or a new password
moves it on). Notification channels' secrets are encrypted with the deployment's key
(``servicelevel.db.sealing``): the column grows to hold the ciphertext and the secrets stored
in clear until now are sealed (opened again on a downgrade). Only a database with such secrets
needs the deployment's key to migrate.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:06:03.452679
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from servicelevel.db import sealing

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

channels = sa.table(
    "notification_channel", sa.column("id", sa.Integer()), sa.column("secret", sa.String())
)


def upgrade() -> None:
    with op.batch_alter_table("notification_channel", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.VARCHAR(length=200),
            type_=sa.String(length=500),
            existing_nullable=False,
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "session_generation",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                server_default="0",
                nullable=False,
            )
        )
    _rewrite_secrets(sealing.seal)


def downgrade() -> None:
    _rewrite_secrets(sealing.unseal)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
    with op.batch_alter_table("notification_channel", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.String(length=500),
            type_=sa.VARCHAR(length=200),
            existing_nullable=False,
        )


def _rewrite_secrets(change: Callable[[str], str]) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(channels.c.id, channels.c.secret).where(channels.c.secret != ""))
    for channel_id, secret in rows.all():
        new = change(secret)
        if new != secret:
            conn.execute(channels.update().where(channels.c.id == channel_id).values(secret=new))
