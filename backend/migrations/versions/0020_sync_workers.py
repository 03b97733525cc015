"""Sync workers: claim order, resumable turns, lag and calls per run, the portal's shared quota

`sync_states` gains a priority (structures whose members use the app go first) and where a
walk longer than one turn resumes; `sync_runs` gains the time the structure was due (its lag)
and the portal calls it made, with an index on `finished_at` for the fleet's figures;
`portal_quota` is the token bucket and the pause every process shares.

Revision ID: 0020_sync_workers
Revises: 0004_sync
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0020_sync_workers"
down_revision = "0004_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_states") as batch:
        batch.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch.add_column(
            sa.Column("resume_window_to", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("resume_page", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("resume_total", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("resume_floor", backend.db.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("sync_runs") as batch:
        batch.add_column(sa.Column("due_at", backend.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("portal_calls", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch.create_index(batch.f("ix_sync_runs_finished_at"), ["finished_at"], unique=False)
    op.create_table(
        "portal_quota",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("calls", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_portal_quota")),
    )


def downgrade() -> None:
    op.drop_table("portal_quota")
    with op.batch_alter_table("sync_runs") as batch:
        batch.drop_index(batch.f("ix_sync_runs_finished_at"))
        batch.drop_column("portal_calls")
        batch.drop_column("due_at")
    with op.batch_alter_table("sync_states") as batch:
        batch.drop_column("resume_floor")
        batch.drop_column("resume_total")
        batch.drop_column("resume_page")
        batch.drop_column("resume_window_to")
        batch.drop_column("priority")
