"""What a late invoice costs its buyer, with the ECB rates as the admins keep them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.invoices.models import Invoice
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
