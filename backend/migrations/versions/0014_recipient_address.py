"""Recipients' postal address, for the claim letter

The portal's invoice consult gives the buyer's postal address (`adresseDestinataire*`); the
sync reads it during its monthly directory check. Every recipient is checked again at the
next sync, so that the addresses arrive without waiting a month.

Revision ID: 0014_recipient_address
Revises: 0013_payment_interruption
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_recipient_address"
down_revision = "0013_payment_interruption"
branch_labels = None
depends_on = "0004_sync"  # directory_checked_at

COLUMNS = (
    ("address_line1", 200),
    ("address_line2", 200),
    ("postal_code", 10),
    ("city", 120),
    ("country", 2),
)


def upgrade() -> None:
    for name, length in COLUMNS:
        op.add_column("recipients", sa.Column(name, sa.String(length), nullable=True))
    op.execute("UPDATE recipients SET directory_checked_at = NULL")


def downgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
