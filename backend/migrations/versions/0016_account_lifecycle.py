"""Accounts people create themselves: e-mailed links, and sessions they can see

`account_links` keeps the links of a sign-up, a password reset and a change of address: the
SHA-256 of each token, never the token, single-use and expiring. Login sessions gain the
device's User-Agent and their last use (the last token refresh), for the list of sessions;
the sessions opened before know neither device nor use: their last use is their opening.

Revision ID: 0016_account_lifecycle
Revises: 0015_nothing_to_pay
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0016_account_lifecycle"
down_revision = "0015_nothing_to_pay"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "account_links",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "sign_up",
                "password_reset",
                "email_change",
                name="purpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", BIG_ID, nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_links_token_hash")),
    )
    with op.batch_alter_table("account_links") as batch:
        batch.create_index(batch.f("ix_account_links_email"), ["email"])
        batch.create_index(batch.f("ix_account_links_expires_at"), ["expires_at"])
        batch.create_index(batch.f("ix_account_links_user_id"), ["user_id"])
    op.add_column("auth_sessions", sa.Column("user_agent", sa.String(length=200), nullable=True))
    op.add_column(
        "auth_sessions",
        sa.Column("last_used_at", backend.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute("UPDATE auth_sessions SET last_used_at = created_at WHERE revoked_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("user_agent")
    op.drop_table("account_links")
