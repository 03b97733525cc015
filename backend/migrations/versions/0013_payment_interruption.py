"""Payment dates under the interruption rule: stored due dates recomputed

The period used to be suspended (the waiting days added back); it is interrupted, then a new
period of 30 days or the balance opens (R2192-27 to R2192-29). Receipt without a reported
availability is presumed two days after the request (R2192-14), and a final unpaid status
closes the period. Stored dates (lists, filters, reminders, the Synthèse's totals) follow.

Revision ID: 0013_payment_interruption
Revises: 0007_payments
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.db
from backend.payments.deadlines import RecipientCategory, payment_terms

revision = "0013_payment_interruption"
down_revision = "0007_payments"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
BATCH = 1000
CATEGORIES = {c.name.lower(): c for c in RecipientCategory}

invoices = sa.table(
    "invoices",
    sa.column("id", BIG_ID),
    sa.column("type", sa.String()),
    sa.column("recipient_id", BIG_ID),
    sa.column("available_on", sa.Date()),
    sa.column("due_on", sa.Date()),
    sa.column("paid_on", sa.Date()),
)
recipients = sa.table(
    "recipients", sa.column("id", BIG_ID), sa.column("payment_category", sa.String())
)
changes = sa.table(
    "status_changes",
    sa.column("invoice_id", BIG_ID),
    sa.column("code", sa.String()),
    sa.column("occurred_at", backend.db.UTCDateTime()),
)
structures = sa.table("structures", sa.column("data_version", sa.Integer()))


def upgrade() -> None:
    if recompute_payment_dates(op.get_bind()):
        # Cached answers and ETags show the old dates: every structure's data changed.
        op.execute(structures.update().values(data_version=structures.c.data_version + 1))


def recompute_payment_dates(conn: sa.Connection) -> int:
    """Recompute every invoice's payment dates; return how many changed."""
    changed = last_id = 0
    while True:
        rows = conn.execute(
            sa.select(invoices, recipients.c.payment_category)
            .join(recipients, recipients.c.id == invoices.c.recipient_id)
            .where(invoices.c.id > last_id, invoices.c.type != "AVOIR")
            .order_by(invoices.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return changed
        values = _new_dates(conn, rows)
        if values:
            conn.execute(
                sa.update(invoices)
                .where(invoices.c.id == sa.bindparam("b_id"))
                .values(
                    available_on=sa.bindparam("b_available"),
                    due_on=sa.bindparam("b_due"),
                    paid_on=sa.bindparam("b_paid"),
                ),
                values,
            )
        changed += len(values)
        last_id = rows[-1].id


def _new_dates(conn: sa.Connection, rows: Sequence[sa.Row]) -> list[dict[str, object]]:
    """The dates of a batch of invoices, only where they differ from the stored ones."""
    history: dict[int, list[tuple[str, dt.datetime]]] = {row.id: [] for row in rows}
    found = conn.execute(
        sa.select(changes.c.invoice_id, changes.c.code, changes.c.occurred_at).where(
            changes.c.invoice_id.in_(list(history))
        )
    )
    for invoice_id, code, occurred_at in found:
        history[invoice_id].append((code, occurred_at))
    values = []
    for row in rows:
        category = CATEGORIES.get(row.payment_category or "", RecipientCategory.default())
        terms = payment_terms(history[row.id], category)
        due = None if terms.awaiting_documents else terms.due_date
        new = (terms.start_date, due, terms.payment_date)
        if new != (row.available_on, row.due_on, row.paid_on):
            values.append({"b_id": row.id, "b_available": new[0], "b_due": due, "b_paid": new[2]})
    return values


def downgrade() -> None:
    """Nothing to undo: the dates are derived from the histories, which are unchanged."""
