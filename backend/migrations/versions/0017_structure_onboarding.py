"""Structure onboarding: the portal's id of a structure, and join requests

A person who proves a structure's technical account becomes its main manager when it has no
members; otherwise their request waits for a main manager's answer (`join_requests`, one row
per person and structure). The portal's own id of the structure (`idStructureCPP`) is kept.

Revision ID: 0017_structure_onboarding
Revises: 0015_nothing_to_pay
Create Date: 2026-12-06 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0017_structure_onboarding"
down_revision = "0015_nothing_to_pay"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("structures", sa.Column("portal_structure_id", BIG_ID, nullable=True))
    op.create_table(
        "join_requests",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("structure_id", BIG_ID, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "approved", "refused", name="joinstate", native_enum=False, length=10
            ),
            nullable=False,
        ),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", backend.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_join_requests_structure_id_structures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_join_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_join_requests_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
        sa.UniqueConstraint(
            "structure_id", "user_id", name=op.f("uq_join_requests_structure_id_user_id")
        ),
    )
    with op.batch_alter_table("join_requests") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_join_requests_structure_id"), ["structure_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("join_requests")
    with op.batch_alter_table("structures") as batch_op:
        batch_op.drop_column("portal_structure_id")
