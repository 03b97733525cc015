"""List filters and ordering on payment deadlines ("late", "due within N days", by due date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, type_coerce
from sqlalchemy.sql import ColumnElement

from backend.invoices.models import Invoice
from backend.payments.lateness import unpaid_late
from backend.timeutil import paris_today

LATE, PAID_LATE = "late", "paid_late"
PAYMENT_FILTERS = (LATE, PAID_LATE)
SORTS = ("changed_at", "due_on")
# A due-date cursor says so: "." is outside the base64url alphabet of plain cursors.
DUE_CURSOR_PREFIX = "due."


def unpaid_due_between(first: dt.date, last: dt.date) -> list[ColumnElement[bool]]:
    return [Invoice.paid_on.is_(None), Invoice.due_on.between(first, last)]


def payment_conditions(
    payment: str | None, due_within: int | None, today: dt.date | None = None
) -> list[ColumnElement[bool]]:
    """Conditions of the `payment` and `due_within` filters of GET /invoices."""
    today = today or paris_today()
    conds: list[ColumnElement[bool]] = []
    if payment == LATE:
        conds += unpaid_late(today)
    elif payment == PAID_LATE:
        conds += [Invoice.paid_on.is_not(None), Invoice.paid_on > Invoice.due_on]
    if due_within is not None:
        conds += unpaid_due_between(today, today + dt.timedelta(days=due_within))
    return conds


def ordering(sort: str) -> tuple[Any, ...]:
    """Keyset orderings: newest status change first, or nearest due date first."""
    if sort == "due_on":
        # sort_conditions leave out NULLs; the coercion (same SQL) tells sqlakeyset not to worry.
        return (type_coerce(Invoice.due_on, Date).asc(), Invoice.id.asc())
    return (Invoice.status_changed_at.desc(), Invoice.id.desc())


def sort_conditions(sort: str) -> list[ColumnElement[bool]]:
    """Sorted by due date, the list holds the invoices that have one (keysets need no NULL)."""
    return [Invoice.due_on.is_not(None)] if sort == "due_on" else []


def place_fits(sort: str, place: tuple[Any, ...]) -> bool:
    """A cursor's position has the types of its ordering (a date, or a date-time)."""
    first = place[0]
    if sort == "due_on":
        return isinstance(first, dt.date) and not isinstance(first, dt.datetime)
    return isinstance(first, dt.datetime)
