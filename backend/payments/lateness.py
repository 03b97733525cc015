"""Late: not paid, and the due date has passed.

Read from the dates `service.refresh_terms` stores (`paid_on`, `due_on`, computed by the rule
in `deadlines`), in Python for one invoice and in SQL for many (served by the partial index on
unpaid invoices).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.sql import ColumnElement

from backend.invoices.models import Invoice


def is_late(paid_on: dt.date | None, due_on: dt.date | None, today: dt.date) -> bool:
    return paid_on is None and due_on is not None and due_on < today


def past_due(today: dt.date | ColumnElement[dt.date]) -> ColumnElement[bool]:
    """Late among unpaid invoices."""
    return Invoice.due_on < today


def unpaid_late(today: dt.date | ColumnElement[dt.date]) -> list[ColumnElement[bool]]:
    return [Invoice.paid_on.is_(None), past_due(today)]
