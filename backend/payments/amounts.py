"""What the buyer has to pay on an invoice, and what a late one costs, with the ECB rates as the
admins keep them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.invoices.models import Invoice, InvoiceType
from backend.payments.interest import InterestResult, late_payment_interest
from backend.payments.models import EcbRateRow
from backend.payments.rates import EcbRate, MissingEcbRateError

_RATES = select(EcbRateRow.half_year_start, EcbRateRow.rate_percent, EcbRateRow.source).order_by(
    EcbRateRow.half_year_start
)


def rate_table(session: Session) -> list[EcbRate]:
    """The ECB rates table, oldest half-year first."""
    rows = session.execute(_RATES)
    return [EcbRate(start, Decimal(rate), source) for start, rate, source in rows]


def principal_of(invoice: Invoice) -> Decimal | None:
    """Interest runs on the amount to pay, or the amount including tax when not told."""
    amount = invoice.amount_to_pay if invoice.amount_to_pay is not None else invoice.amount_incl_tax
    return None if amount is None else Decimal(amount)


# Billing framework A2: an invoice already paid when it is sent (DOMAIN.md, « Invoice data »).
ALREADY_PAID = "A2"


@dataclass(frozen=True)
class NothingToPay:
    """Why the buyer pays nothing on an invoice: no payment period runs for it."""

    state: str  # the payment block's state: "credit_note" or "nothing_to_pay"
    reason: str  # the French sentence that says why


def nothing_to_pay(invoice: Invoice) -> NothingToPay | None:
    """A credit note, an invoice already paid (A2) or one with nothing left to pay; else None."""
    if invoice.type == InvoiceType.AVOIR.value:
        return NothingToPay("credit_note", "Avoir : le destinataire n'a rien à payer.")
    if invoice.billing_framework == ALREADY_PAID:
        reason = "Facture déjà payée (cadre de facturation A2) : le destinataire n'a rien à payer."
        return NothingToPay("nothing_to_pay", reason)
    principal = principal_of(invoice)
    if principal is not None and principal <= 0:
        return NothingToPay("nothing_to_pay", "Le montant à payer de cette facture est nul.")
    return None


@dataclass(frozen=True)
class Owed:
    """The interest computed for an invoice, or why it could not be."""

    result: InterestResult | None
    problem: str | None = None


def owed(invoice: Invoice, due: dt.date | None, end: dt.date, table: list[EcbRate]) -> Owed:
    """Interest and indemnity owed when `end` (payment, or today while unpaid) is after `due`."""
    if due is None:
        return Owed(None, "Aucune date limite de paiement n'est connue pour cette facture.")
    principal = principal_of(invoice)
    if principal is None:
        return Owed(None, "Le montant de la facture n'est pas connu : calcul impossible.")
    try:
        return Owed(late_payment_interest(principal, due, end, table))
    except MissingEcbRateError as exc:
        return Owed(None, f"{exc} Un administrateur doit le saisir.")
