"""Payment figures of the Synthèse and the Tableau de bord: overdue, interest owed, due soon."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from backend.accounts.scope import Scope
from backend.invoices.models import Invoice
from backend.invoices.queries import ScopedStatement
from backend.payments.amounts import rate_table
from backend.payments.interest import late_payment_interest
from backend.payments.queries import unpaid_late
from backend.payments.rates import MissingEcbRateError
from backend.timeutil import paris_today

ZERO = Decimal("0.00")
WEEK = dt.timedelta(days=6)  # today and the next six days
_NOTHING_OWED = {"count": 0, "interest": ZERO, "indemnity": ZERO, "total": ZERO}


_LATE_UNPAID = ScopedStatement(
    lambda scoped: (
        select(Invoice.due_on, func.coalesce(Invoice.amount_to_pay, Invoice.amount_incl_tax))
        .where(scoped, *unpaid_late(bindparam("today", type_=Date)))
        .order_by(Invoice.id)
    )
)


def _interest_owed(session: Session, scope: Scope, today: dt.date) -> dict[str, Any]:
    """Interest to date on every late unpaid invoice, with the core's exact arithmetic."""
    table = rate_table(session)
    rows = _LATE_UNPAID.rows(session, scope, today=today)
    results = []
    for due_on, principal in rows:
        if principal is None or due_on is None:
            continue
        try:
            results.append(late_payment_interest(Decimal(principal), due_on, today, table))
        except MissingEcbRateError:
            continue
    interest = sum((r.interest for r in results), ZERO)
    indemnity = sum((r.indemnity for r in results), ZERO)
    return {
        "count": len(results),
        "interest": interest,
        "indemnity": indemnity,
        "total": interest + indemnity,
    }


def _unpaid_totals(scoped: ColumnElement[bool]) -> Any:
    """Both totals in one pass over the unpaid invoices (the partial index on unpaid ones)."""
    today = bindparam("today", type_=Date)
    late = Invoice.due_on < today
    soon = Invoice.due_on.between(today, bindparam("week_end", type_=Date))
    amount = Invoice.amount_incl_tax
    return select(
        func.count().filter(late),
        func.coalesce(func.sum(amount).filter(late), 0),
        func.count().filter(soon),
        func.coalesce(func.sum(amount).filter(soon), 0),
    ).where(scoped, Invoice.paid_on.is_(None), Invoice.due_on.is_not(None))


_UNPAID_TOTALS = ScopedStatement(_unpaid_totals)


def payment_totals(session: Session, scope: Scope, today: dt.date | None = None) -> dict[str, Any]:
    """Overdue invoices, the interest they earn to date, and what falls due within a week."""
    today = today or paris_today()
    (row,) = _UNPAID_TOTALS.rows(session, scope, today=today, week_end=today + WEEK)
    return {
        "overdue": {"count": int(row[0]), "amount_incl_tax": Decimal(row[1] or 0)},
        # No late invoice, no interest: neither the rates nor the late invoices are read.
        "interest_owed": _interest_owed(session, scope, today) if row[0] else dict(_NOTHING_OWED),
        "due_this_week": {"count": int(row[2]), "amount_incl_tax": Decimal(row[3] or 0)},
    }
