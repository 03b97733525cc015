"""Covering index for counts and sums per status (Synthèse, Tableau de bord)

The dashboard of a supplier with 100,000 invoices read every invoice row to sum its
amount (1 s on a cold cache); with the amount in the index it is an index-only scan.

Revision ID: 0005_bench_indexes
Revises: 0001
Create Date: 2026-11-28 07:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0005_bench_indexes"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD = ("ix_invoices_structure_status", ["structure_id", "status_code", "status_changed_at"])
NEW = (
    "ix_invoices_structure_status_amount",
    ["structure_id", "status_code", "status_changed_at", "amount_incl_tax"],
)


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(NEW[0], NEW[1], unique=False)
        batch_op.drop_index(OLD[0])


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(OLD[0], OLD[1], unique=False)
        batch_op.drop_index(NEW[0])
