"""The invoice list's filters, as SQL conditions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from backend.accounts.models import Recipient
from backend.invoices.models import Invoice
from backend.invoices.statuses import Category, codes_in_category
from backend.payments.queries import payment_conditions
from backend.timeutil import paris_day_start


def changed_between(first: dt.date | None, last: dt.date | None) -> list[ColumnElement[bool]]:
    """Status changed from the Paris day `first` to the Paris day `last`, both included."""
    conds = []
    if first:
        conds.append(Invoice.status_changed_at >= paris_day_start(first))
    if last:
        conds.append(Invoice.status_changed_at < paris_day_start(last + dt.timedelta(days=1)))
    return conds


def _containing(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its wildcards taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass
class InvoiceFilters:
    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    structure_ids: Sequence[int] = ()
    recipient_ids: Sequence[int] = ()
    invoice_date_from: dt.date | None = None
    invoice_date_to: dt.date | None = None
    changed_from: dt.date | None = None
    changed_to: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str | None = None
    payment: str | None = None
    due_within: int | None = None

    def status_codes(self) -> list[str] | None:
        """The statuses asked for (by code or category); None when not filtered by status."""
        if not (self.statuses or self.categories):
            return None
        codes = set(self.statuses)
        for category in self.categories:
            codes.update(codes_in_category(Category(category)))
        return sorted(codes)

    def only_by_structure_and_status(self) -> bool:
        """True when the counts per structure and status can answer (no other filter)."""
        others = (
            self.recipient_ids,
            self.invoice_date_from,
            self.invoice_date_to,
            self.changed_from,
            self.changed_to,
            self.amount_min,
            self.amount_max,
            self.q,
            self.payment,
            self.due_within,
        )
        return not any(v is not None and v != () and v != [] for v in others)

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        codes = self.status_codes()
        if codes is not None:
            conds.append(Invoice.status_code.in_(codes))
        if self.structure_ids:
            conds.append(Invoice.structure_id.in_(self.structure_ids))
        if self.recipient_ids:
            conds.append(Invoice.recipient_id.in_(self.recipient_ids))
        if self.invoice_date_from:
            conds.append(Invoice.invoice_date >= self.invoice_date_from)
        if self.invoice_date_to:
            conds.append(Invoice.invoice_date <= self.invoice_date_to)
        conds += changed_between(self.changed_from, self.changed_to)
        if self.amount_min is not None:
            conds.append(Invoice.amount_incl_tax >= self.amount_min)
        if self.amount_max is not None:
            conds.append(Invoice.amount_incl_tax <= self.amount_max)
        if self.q:
            pattern = _containing(self.q)
            named = select(Recipient.id).where(Recipient.name.ilike(pattern, escape="\\"))
            conds.append(
                or_(Invoice.number.ilike(pattern, escape="\\"), Invoice.recipient_id.in_(named))
            )
        conds += payment_conditions(self.payment, self.due_within)
        return conds
