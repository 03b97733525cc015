"""Members: invitations to join a structure, with the services they restrict to

A main manager invites an address with a role and, optionally, some of the structure's
services (`invitation_services`). The link's token is kept as its SHA-256 digest; an
invitation is pending until accepted, revoked or expired.

Revision ID: 0019_members
Revises: 0017_structure_onboarding
Create Date: 2026-12-06 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0019_members"
down_revision = "0017_structure_onboarding"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("structure_id", BIG_ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "role",
            sa.Enum("main_manager", "manager", "user", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", BIG_ID, nullable=True),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", BIG_ID, nullable=True),
        sa.Column("revoked_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_invitations_structure_id_structures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_accepted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations") as batch:
        batch.create_index(batch.f("ix_invitations_structure_id"), ["structure_id"])
        batch.create_index(batch.f("ix_invitations_email"), ["email"])
    op.create_table(
        "invitation_services",
        sa.Column("invitation_id", BIG_ID, nullable=False),
        sa.Column("service_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_services_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["recipient_services.id"],
            name=op.f("fk_invitation_services_service_id_recipient_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitation_id", "service_id", name=op.f("pk_invitation_services")),
    )


def downgrade() -> None:
    op.drop_table("invitation_services")
    op.drop_table("invitations")
