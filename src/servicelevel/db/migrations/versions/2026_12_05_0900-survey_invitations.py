"""survey invitations: a policy per agreement, and the invitations sent by it

Satisfaction surveys are sent, not only imported (issue 14): ``survey_policy`` says when an
agreement's customer is asked (after each month or quarter, after resolved tickets), and
``survey_invitation`` holds each person asked, with the hash of their link's token (never the
token), its expiry, when it was sent and answered, and the answer (a ``survey_result``).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicelevel.db.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_policy",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "agreement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("every", sa.String(length=10), nullable=False),
        sa.Column("after_tickets", sa.Boolean(), nullable=False),
        sa.Column("scale", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "expires_days", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "quiet_days", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("created_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "every IN ('none', 'month', 'quarter')", name=op.f("ck_survey_policy_every_known")
        ),
        sa.CheckConstraint(
            "expires_days >= 1 AND expires_days <= 90", name=op.f("ck_survey_policy_expiry_range")
        ),
        sa.CheckConstraint(
            "quiet_days >= 0 AND quiet_days <= 365", name=op.f("ck_survey_policy_quiet_range")
        ),
        sa.CheckConstraint("scale >= 2 AND scale <= 10", name=op.f("ck_survey_policy_scale_range")),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_survey_policy_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_policy")),
        sa.UniqueConstraint("agreement_id", name=op.f("uq_survey_policy_agreement_id")),
    )
    op.create_table(
        "survey_invitation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "agreement_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("party_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("scale", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("answered_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("survey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", servicelevel.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_survey_invitation_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["party.id"],
            name=op.f("fk_survey_invitation_party_id_party"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey_result.id"],
            name=op.f("fk_survey_invitation_survey_id_survey_result"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["ticket.id"],
            name=op.f("fk_survey_invitation_ticket_id_ticket"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_survey_invitation_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invitation")),
        sa.UniqueConstraint("key", name=op.f("uq_survey_invitation_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_survey_invitation_token_hash")),
    )
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_invitation_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_survey_invitation_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_survey_invitation_sent_at"), ["sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_invitation_sent_at"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_email"))
        batch_op.drop_index(batch_op.f("ix_survey_invitation_agreement_id"))

    op.drop_table("survey_invitation")
    op.drop_table("survey_policy")
