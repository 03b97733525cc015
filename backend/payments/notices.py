"""Payment notifications: deadline coming, deadline passed, paid late — each sent once.

A notice is claimed by inserting (invoice, kind) into payment_notices, in the transaction that
queues its inbox entries and pushes: a rerun, a restart or a second scheduler never sends twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from backend.accounts.models import Recipient, User
from backend.db import insert_ignoring_conflicts, utcnow
from backend.invoices.models import Invoice, StatusChange
from backend.payments.amounts import owed, rate_table
from backend.payments.formatting import format_date, format_days, format_eur
from backend.payments.interest import RECOVERY_INDEMNITY
from backend.payments.milestones import CASHED, PAID, PAYMENT_ORDER
from backend.payments.models import PaymentNotice
from backend.push import service as push
from backend.push.compose import PAYMENT, Words

DUE_SOON, OVERDUE, PAID_LATE = "due_soon", "overdue", "paid_late"
# Payment steps: once one is seen, the buyer is paying and a reminder would only worry.
PAYMENT_STEPS = sorted({*PAYMENT_ORDER, PAID, CASHED})
# "Deadline passed" is news for a week; older ones (a first sync, a backfill) are not pushed.
OVERDUE_WINDOW = dt.timedelta(days=7)


def claim(session: Session, invoice_id: int, kind: str) -> bool:
    """Mark this notice as sent; False when it already was."""
    row = {"invoice_id": invoice_id, "kind": kind, "created_at": utcnow()}
    return insert_ignoring_conflicts(session, PaymentNotice.__table__, [row]) == 1


def _send(session: Session, invoice: Invoice, kind: str, words: Callable[[User], Words]) -> bool:
    if not claim(session, invoice.id, kind):
        return False
    push.notify_invoice(session, invoice, f"payment_{kind}", PAYMENT, words)
    return True


def _recipient(invoice: Invoice) -> str:
    return invoice.recipient.name if invoice.recipient else ""


def send_paid_late(session: Session, invoice: Invoice, today: dt.date) -> bool:
    """Tell the invoice's users what the buyer owes for paying late."""
    assert invoice.due_on is not None and invoice.paid_on is not None
    result = owed(invoice, invoice.due_on, invoice.paid_on, rate_table(session)).result
    days = (invoice.paid_on - invoice.due_on).days
    interest = format_eur(result.interest) if result else None
    total = format_eur(result.total) if result else None

    def words(user: User) -> Words:
        if user.locale.startswith("en"):
            amounts = f"interest {interest} + {format_eur(RECOVERY_INDEMNITY)} fixed indemnity"
            return Words(
                f"Invoice {invoice.number}: paid {days} days late",
                f"{_recipient(invoice)} owes you {amounts} = {total}." if result else
                f"{_recipient(invoice)} owes you late-payment interest and a €40 indemnity.",
            )  # fmt: skip
        owes = (
            f"vous doit {interest} d'intérêts moratoires et {format_eur(RECOVERY_INDEMNITY)} "
            f"d'indemnité forfaitaire, soit {total}"
            if result
            else "vous doit des intérêts moratoires et l'indemnité forfaitaire de 40 €"
        )
        return Words(
            f"Facture {invoice.number} : payée avec {format_days(days)} de retard",
            f"{_recipient(invoice)} {owes}. Relais prépare le courrier de réclamation.",
        )

    return _send(session, invoice, PAID_LATE, words)


def _due_soon_words(invoice: Invoice, today: dt.date) -> Callable[[User], Words]:
    assert invoice.due_on is not None
    due = invoice.due_on
    left = (due - today).days

    def words(user: User) -> Words:
        if user.locale.startswith("en"):
            return Words(
                f"Invoice {invoice.number}: due in {left} days",
                f"{_recipient(invoice)} must pay it by {due.isoformat()}; "
                "no payment step has been seen yet.",
            )
        when = "aujourd'hui" if left == 0 else f"dans {format_days(left)}"
        return Words(
            f"Facture {invoice.number} : échéance {when}",
            f"{_recipient(invoice)} doit la payer au plus tard le {format_date(due)} ; "
            "aucune étape de paiement n'a encore été vue.",
        )

    return words


def _overdue_words(invoice: Invoice) -> Callable[[User], Words]:
    assert invoice.due_on is not None
    due, since = invoice.due_on, invoice.due_on + dt.timedelta(days=1)

    def words(user: User) -> Words:
        if user.locale.startswith("en"):
            return Words(
                f"Invoice {invoice.number}: payment deadline passed",
                f"{_recipient(invoice)} had to pay it by {due.isoformat()}. "
                "Late-payment interest runs, plus a €40 fixed indemnity.",
            )
        return Words(
            f"Facture {invoice.number} : délai de paiement dépassé",
            f"{_recipient(invoice)} devait la payer au plus tard le "
            f"{format_date(due)}. Des intérêts moratoires courent depuis le "
            f"{format_date(since)}, en plus de l'indemnité forfaitaire de 40 €.",
        )

    return words


def _not_claimed(kind: str) -> object:
    return ~exists(
        select(PaymentNotice.id).where(
            PaymentNotice.invoice_id == Invoice.id, PaymentNotice.kind == kind
        )
    )


def send_reminders(session: Session, today: dt.date, days_before: int) -> dict[str, int]:
    """Queue the day's "deadline in N days" and "deadline passed" notices not yet sent."""
    payment_seen = exists(
        select(StatusChange.id).where(
            StatusChange.invoice_id == Invoice.id, StatusChange.code.in_(PAYMENT_STEPS)
        )
    )
    unreported = select(Recipient.id).where(Recipient.payment_status_not_reported.is_(True))
    unpaid = select(Invoice).where(Invoice.paid_on.is_(None)).options(joinedload(Invoice.recipient))
    soon = unpaid.where(
        Invoice.due_on.between(today, today + dt.timedelta(days=days_before)),
        ~payment_seen,
        _not_claimed(DUE_SOON),  # type: ignore[arg-type]
    )
    late = unpaid.where(
        Invoice.due_on < today,
        Invoice.due_on >= today - OVERDUE_WINDOW,
        Invoice.recipient_id.not_in(unreported),
        _not_claimed(OVERDUE),  # type: ignore[arg-type]
    )
    sent = {DUE_SOON: 0, OVERDUE: 0}
    for invoice in session.scalars(soon.order_by(Invoice.id)).unique().all():
        sent[DUE_SOON] += _send(session, invoice, DUE_SOON, _due_soon_words(invoice, today))
    for invoice in session.scalars(late.order_by(Invoice.id)).unique().all():
        sent[OVERDUE] += _send(session, invoice, OVERDUE, _overdue_words(invoice))
    return sent
