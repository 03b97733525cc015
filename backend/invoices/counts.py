"""Counts and sums of invoices per structure, service and status, kept as invoices change.

Each invoice is counted twice: once in its structure's row for all services
(`ALL_SERVICES`), which users who see the whole structure read (a few dozen rows, even for
100,000 invoices), and once in its service's row when it has one, which users restricted to
some services read. An invoice without a service is seen only by whole-structure users.

`move` is called by `service.record` with an invoice's key before and after the change, in
the same transaction: the rows can never disagree with the invoices they count. Updates are
applied in key order, so two transactions moving invoices between the same statuses wait
for each other instead of deadlocking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from backend.db import dialect_insert
from backend.invoices.models import Invoice, InvoiceCount

ZERO = Decimal("0.00")
ALL_SERVICES = -1


class CountKey(NamedTuple):
    structure_id: int
    service_key: int
    status_code: str
    amount: Decimal


def key_of(invoice: Invoice) -> CountKey:
    """Where an invoice is counted, and for how much."""
    return CountKey(
        invoice.structure_id,
        invoice.service_id or 0,
        invoice.status_code,
        invoice.amount_incl_tax or ZERO,
    )


def move(session: Session, before: CountKey | None, after: CountKey | None) -> None:
    """Count an invoice under `after` instead of `before` (None: not counted)."""
    if before == after:
        return
    deltas: dict[tuple[int, int, str], tuple[int, Decimal]] = {}
    for key, sign in ((before, -1), (after, 1)):
        if key is None:
            continue
        for service_key in (ALL_SERVICES, key.service_key) if key.service_key else (ALL_SERVICES,):
            slot = (key.structure_id, service_key, key.status_code)
            count, amount = deltas.get(slot, (0, ZERO))
            deltas[slot] = (count + sign, amount + sign * key.amount)
    rows = [
        {
            "structure_id": slot[0],
            "service_key": slot[1],
            "status_code": slot[2],
            "count": count,
            "amount_incl_tax": amount,
        }
        for slot, (count, amount) in sorted(deltas.items())
        if count or amount
    ]
    if not rows:
        return
    upsert = dialect_insert(session.get_bind().dialect.name)
    for row in rows:  # one statement per row, in key order (see the module's docstring)
        stmt = upsert(InvoiceCount).values(row)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["structure_id", "service_key", "status_code"],
                set_={
                    "count": InvoiceCount.count + stmt.excluded.count,
                    "amount_incl_tax": InvoiceCount.amount_incl_tax + stmt.excluded.amount_incl_tax,
                },
            )
        )


REBUILD_SQL = (
    "INSERT INTO invoice_counts (structure_id, service_key, status_code, count, amount_incl_tax)"
    " SELECT structure_id, -1, status_code, count(*), COALESCE(sum(amount_incl_tax), 0)"
    " FROM invoices GROUP BY structure_id, status_code"
    " UNION ALL"
    " SELECT structure_id, service_id, status_code, count(*), COALESCE(sum(amount_incl_tax), 0)"
    " FROM invoices WHERE service_id IS NOT NULL GROUP BY structure_id, service_id, status_code"
)


def rebuild(session: Session) -> None:
    """Recount everything from the invoices themselves (after a bulk load, or a repair)."""
    session.execute(delete(InvoiceCount))
    session.execute(text(REBUILD_SQL))
