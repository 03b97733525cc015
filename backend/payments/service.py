"""Invoices' payment dates, kept right by the write path and by recipients' category changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.accounts.models import Recipient
from backend.invoices.models import Invoice, StatusChange
from backend.payments import notices
from backend.payments.amounts import nothing_to_pay
from backend.payments.deadlines import PaymentTerms, RecipientCategory, payment_terms
from backend.timeutil import paris_today

CATEGORIES = {c.name.lower(): c for c in RecipientCategory}
# A payment seen by a first sync or a backfill is old news: no "paid late" push for it.
PAID_NOTICE_DAYS = 7


def category_code(category: RecipientCategory) -> str:
    return category.name.lower()


def category_of(recipient: Recipient | None) -> RecipientCategory:
    """The recipient's stored category; an unknown value falls back to the default."""
    code = recipient.payment_category if recipient else None
    return CATEGORIES.get(code or "", RecipientCategory.default())


def history_of(session: Session, invoice_id: int) -> list[tuple[str, dt.datetime]]:
    rows = session.execute(
        select(StatusChange.code, StatusChange.occurred_at).where(
            StatusChange.invoice_id == invoice_id
        )
    )
    return [(code, occurred_at) for code, occurred_at in rows]


def terms_of(
    invoice: Invoice,
    history: list[tuple[str, dt.datetime]],
    recipient: Recipient | None,
    today: dt.date,
) -> PaymentTerms | None:
    """The invoice's terms; None when the buyer has nothing to pay (`nothing_to_pay`): no
    payment period runs, so it is never late."""
    if nothing_to_pay(invoice) is not None:
        return None
    return payment_terms(history, category_of(recipient), today=today)


def _apply(invoice: Invoice, terms: PaymentTerms | None) -> None:
    """Store the dates; an interrupted invoice has no due date until the documents arrive."""
    if terms is None:
        invoice.available_on = invoice.due_on = invoice.paid_on = None
        return
    invoice.available_on = terms.start_date
    invoice.due_on = None if terms.awaiting_documents else terms.due_date
    invoice.paid_on = terms.payment_date


def refresh_terms(
    session: Session, invoice: Invoice, *, notify: bool = True, today: dt.date | None = None
) -> None:
    """Recompute an invoice's payment dates; a late payment just seen is notified once."""
    today = today or paris_today()
    recipient = session.get(Recipient, invoice.recipient_id)
    terms = terms_of(invoice, history_of(session, invoice.id), recipient, today)
    newly_paid = invoice.paid_on is None
    _apply(invoice, terms)
    if not (notify and newly_paid and terms is not None and terms.is_late and terms.is_paid):
        return
    assert terms.payment_date is not None
    if terms.payment_date >= today - dt.timedelta(days=PAID_NOTICE_DAYS):
        notices.send_paid_late(session, invoice, today)


def refresh_recipient(
    session: Session, recipient: Recipient, batch: int = 500
) -> tuple[int, set[int]]:
    """Recompute the dates of a recipient's invoices; return how many, and their structures."""
    today = paris_today()
    structures: set[int] = set()
    last_id = count = 0
    while True:
        invoices = list(
            session.scalars(
                select(Invoice)
                .where(Invoice.recipient_id == recipient.id, Invoice.id > last_id)
                .options(selectinload(Invoice.history))
                .order_by(Invoice.id)
                .limit(batch)
            )
        )
        if not invoices:
            return count, structures
        for invoice in invoices:
            history = [(c.code, c.occurred_at) for c in invoice.history]
            _apply(invoice, terms_of(invoice, history, recipient, today))
            structures.add(invoice.structure_id)
        count += len(invoices)
        session.flush()
        last_id = invoices[-1].id
