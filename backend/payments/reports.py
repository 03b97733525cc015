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
from backend.invoices.scoped import ScopedStatement
from backend.payments.amounts import rate_table
from backend.payments.interest import late_payment_interest
from backend.payments.lateness import past_due, unpaid_late
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


def unpaid_totals(scoped: ColumnElement[bool]) -> Any:
    """Both totals in one pass over the unpaid invoices (the partial index on unpaid ones):
    late_count, late_amount, soon_count, soon_amount. Parameters `today`, `week_end`."""
    today = bindparam("today", type_=Date)
    late = past_due(today)
    soon = Invoice.due_on.between(today, bindparam("week_end", type_=Date))
    amount = Invoice.amount_incl_tax
    return select(
        func.count().filter(late).label("late_count"),
        func.coalesce(func.sum(amount).filter(late), 0).label("late_amount"),
        func.count().filter(soon).label("soon_count"),
        func.coalesce(func.sum(amount).filter(soon), 0).label("soon_amount"),
    ).where(scoped, Invoice.paid_on.is_(None), Invoice.due_on.is_not(None))


_UNPAID_TOTALS = ScopedStatement(unpaid_totals)


def unpaid_parameters(today: dt.date) -> dict[str, dt.date]:
    """The parameters of `unpaid_totals`."""
    return {"today": today, "week_end": today + WEEK}


def payment_totals(
    session: Session, scope: Scope, today: dt.date | None = None, unpaid: Any = None
) -> dict[str, Any]:
    """Overdue invoices, the interest they earn to date, and what falls due within a week.

    `unpaid`: the row of `unpaid_totals` when the caller read it in a statement of its own."""
    today = today or paris_today()
    if unpaid is None:
        (unpaid,) = _UNPAID_TOTALS.rows(session, scope, **unpaid_parameters(today))
    late_count, late_amount, soon_count, soon_amount = unpaid[:4]
    return {
        "overdue": {"count": int(late_count), "amount_incl_tax": Decimal(late_amount or 0)},
        # No late invoice, no interest: neither the rates nor the late invoices are read.
        "interest_owed": (
            _interest_owed(session, scope, today) if late_count else dict(_NOTHING_OWED)
        ),
        "due_this_week": {"count": int(soon_count), "amount_incl_tax": Decimal(soon_amount or 0)},
    }
