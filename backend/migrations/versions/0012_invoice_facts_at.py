"""When an invoice's fields were true: an older observation never overwrites them

A replayed integration event carried the invoice's number and amount of its time and
overwrote newer ones. Existing invoices take the time of their current status.

Revision ID: 0012_invoice_facts_at
Revises: 0010_invoice_counts
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db import UTCDateTime

revision = "0012_invoice_facts_at"
down_revision = "0010_invoice_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invoices", sa.Column("facts_at", UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE invoices SET facts_at = status_changed_at")


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("facts_at")
