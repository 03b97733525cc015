"""Payment deadlines: recipients' category, invoices' dates, ECB rates, notices, habits

Revision ID: 0007_payments
Revises: 0001
Create Date: 2026-11-28 08:30:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import backend.db
from backend.payments.deadlines import payment_terms
from backend.payments.rates import ECB_RATES

revision = "0007_payments"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNPAID = "paid_on IS NULL AND due_on IS NOT NULL"
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("recipients") as batch:
        batch.add_column(
            sa.Column(
                "payment_category",
                sa.String(length=30),
                server_default="state_and_local",
                nullable=False,
            )
        )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("available_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("paid_on", sa.Date(), nullable=True))
        batch.create_index("ix_invoices_structure_due", ["structure_id", "due_on", "id"])
        batch.create_index(
            "ix_invoices_structure_unpaid_due",
            ["structure_id", "due_on"],
            sqlite_where=sa.text(UNPAID),
            postgresql_where=sa.text(UNPAID),
        )
    rates = op.create_table(
        "ecb_rates",
        sa.Column("half_year_start", sa.Date(), nullable=False),
        sa.Column("rate_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("half_year_start", name=op.f("pk_ecb_rates")),
    )
    op.create_table(
        "payment_notices",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("invoice_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payment_notices_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notices")),
        sa.UniqueConstraint("invoice_id", "kind", name=op.f("uq_payment_notices_invoice_id_kind")),
    )
    op.create_table(
        "recipient_habits",
        sa.Column("recipient_id", BIG_ID, nullable=False),
        sa.Column("median_days", sa.Integer(), nullable=False),
        sa.Column("p90_days", sa.Integer(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("suppliers", sa.Integer(), nullable=False),
        sa.Column("computed_at", backend.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["recipients.id"],
            name=op.f("fk_recipient_habits_recipient_id_recipients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recipient_id", name=op.f("pk_recipient_habits")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        rates,
        [
            {
                "half_year_start": r.half_year_start,
                "rate_percent": r.rate_percent,
                "source": r.source,
                "updated_at": now,
            }
            for r in ECB_RATES
        ],
    )
    _backfill_terms(op.get_bind())


def _backfill_terms(conn: sa.Connection) -> None:
    """Existing invoices get their dates (every recipient starts in the default category)."""
    invoices = sa.table(
        "invoices",
        sa.column("id", BIG_ID),
        sa.column("type", sa.String()),
        sa.column("available_on", sa.Date()),
        sa.column("due_on", sa.Date()),
        sa.column("paid_on", sa.Date()),
    )
    changes = sa.table(
        "status_changes",
        sa.column("invoice_id", BIG_ID),
        sa.column("code", sa.String()),
        sa.column("occurred_at", backend.db.UTCDateTime()),
    )
    last_id = 0
    while True:
        ids = (
            conn.execute(
                sa.select(invoices.c.id)
                .where(invoices.c.id > last_id, invoices.c.type != "AVOIR")
                .order_by(invoices.c.id)
                .limit(BATCH)
            )
            .scalars()
            .all()
        )
        if not ids:
            return
        history: dict[int, list[tuple[str, dt.datetime]]] = {i: [] for i in ids}
        rows = conn.execute(
            sa.select(changes.c.invoice_id, changes.c.code, changes.c.occurred_at).where(
                changes.c.invoice_id.in_(ids)
            )
        )
        for invoice_id, code, occurred_at in rows:
            history[invoice_id].append((code, occurred_at))
        values = []
        for invoice_id, events in history.items():
            terms = payment_terms(events)
            open_suspension = any(s.end is None for s in terms.suspensions)
            values.append(
                {
                    "b_id": invoice_id,
                    "b_available": terms.start_date,
                    "b_due": None if open_suspension else terms.due_date,
                    "b_paid": terms.payment_date,
                }
            )
        # One executemany per batch (pipelined by psycopg), not a round trip per invoice.
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
        last_id = ids[-1]


def downgrade() -> None:
    op.drop_table("recipient_habits")
    op.drop_table("payment_notices")
    op.drop_table("ecb_rates")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_index("ix_invoices_structure_unpaid_due")
        batch.drop_index("ix_invoices_structure_due")
        batch.drop_column("paid_on")
        batch.drop_column("due_on")
        batch.drop_column("available_on")
    with op.batch_alter_table("recipients") as batch:
        batch.drop_column("payment_category")
