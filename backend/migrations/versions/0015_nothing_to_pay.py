"""No payment dates for invoices with nothing to pay

An invoice already paid (billing framework A2) or whose amount to pay is zero had a due date,
showed as late and got a claim letter asking for the €40 indemnity. Like credit notes, they
have no payment period (`backend.payments.amounts.nothing_to_pay`): their stored dates (lists,
filters, reminders, the Synthèse's totals) are cleared.

Revision ID: 0015_nothing_to_pay
Revises: 0014_recipient_address
Create Date: 2026-12-07 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.payments.amounts import nothing_to_pay

revision = "0015_nothing_to_pay"
down_revision = "0014_recipient_address"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BATCH = 1000

invoices = sa.table(
    "invoices",
    sa.column("id", BIG_ID),
    sa.column("structure_id", BIG_ID),
    sa.column("type", sa.String()),
    sa.column("billing_framework", sa.String()),
    sa.column("amount_incl_tax", sa.Numeric(14, 2)),
    sa.column("amount_to_pay", sa.Numeric(14, 2)),
    sa.column("available_on", sa.Date()),
    sa.column("due_on", sa.Date()),
    sa.column("paid_on", sa.Date()),
)
structures = sa.table(
    "structures", sa.column("id", BIG_ID), sa.column("data_version", sa.Integer())
)
DATED = sa.or_(
    invoices.c.available_on.is_not(None),
    invoices.c.due_on.is_not(None),
    invoices.c.paid_on.is_not(None),
)


def upgrade() -> None:
    clear_dates(op.get_bind())


def clear_dates(conn: sa.Connection) -> int:
    """Clear the payment dates of every invoice with nothing to pay; return how many."""
    total = last_id = 0
    while True:
        rows = conn.execute(
            sa.select(invoices)
            .where(invoices.c.id > last_id, DATED)
            .order_by(invoices.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return total
        cleared = [row for row in rows if nothing_to_pay(row) is not None]  # type: ignore[arg-type]
        if cleared:
            conn.execute(
                sa.update(invoices)
                .where(invoices.c.id.in_([row.id for row in cleared]))
                .values(available_on=None, due_on=None, paid_on=None)
            )
            # Cached answers and ETags of these structures show the old dates.
            conn.execute(
                structures.update()
                .where(structures.c.id.in_({row.structure_id for row in cleared}))
                .values(data_version=structures.c.data_version + 1)
            )
        total += len(cleared)
        last_id = rows[-1].id


def downgrade() -> None:
    """Nothing to undo: the dates are derived from the histories, which are unchanged."""
