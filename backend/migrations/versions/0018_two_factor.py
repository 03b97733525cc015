"""Two-factor authentication: a TOTP secret per user and single-use recovery codes

`two_factors` holds each user's TOTP secret, encrypted with CREDENTIALS_KEY (codes are checked
against it, so it cannot be hashed), pending until a first code confirms it (`enabled_at`),
the last time step a code was accepted for (no replay), and the wrong codes in a row that
lock it for a while. `recovery_codes` keeps the argon2 hash of each recovery code and when
it was used.

Revision ID: 0018_two_factor
Revises: 0016_account_lifecycle
Create Date: 2026-12-06 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0018_two_factor"
down_revision = "0016_account_lifecycle"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "two_factors",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("enabled_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", BIG_ID, nullable=True),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_two_factors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_two_factors_user_id")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("used_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    with op.batch_alter_table("recovery_codes") as batch:
        batch.create_index(batch.f("ix_recovery_codes_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("recovery_codes")
    op.drop_table("two_factors")
