"""The data of the letter claiming late-payment interest for one invoice."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from backend.invoices.models import Invoice
from backend.payments.amounts import nothing_to_pay, owed, principal_of, rate_table
from backend.payments.letter import ClaimData
from backend.payments.service import terms_of

NOT_LATE = (
    "Cette facture n'a pas été payée en retard et n'est pas en retard de paiement : "
    "il n'y a ni intérêts moratoires ni indemnité à réclamer."
)
NOTHING_OWED = (
    "Aucun délai de paiement ne court pour elle : il n'y a ni retard, ni intérêts moratoires, "
    "ni indemnité forfaitaire à réclamer."
)


class NothingToClaim(ValueError):
    """Nothing to pay, no delay, or interest that cannot be computed; the message says why."""


def postal_address(holder: Any) -> str:
    """The address lines of a structure or a recipient, the country only when not France."""
    town = " ".join(part for part in (holder.postal_code, holder.city) if part)
    country = holder.country if holder.country not in (None, "", "FR") else None
    lines = (holder.address_line1, holder.address_line2, town, country)
    return "\n".join(line for line in lines if line)


def claim_data(session: Session, invoice: Invoice, today: dt.date) -> ClaimData:
    """What the letter says about this invoice; NothingToClaim when nothing is owed."""
    nothing = nothing_to_pay(invoice)
    if nothing is not None:
        raise NothingToClaim(f"{nothing.reason} {NOTHING_OWED}")
    history = [(change.code, change.occurred_at) for change in invoice.history]
    terms = terms_of(invoice, history, invoice.recipient, today)
    if terms is None or not terms.is_late or terms.due_date is None:
        raise NothingToClaim(NOT_LATE)
    computed = owed(invoice, terms.due_date, terms.payment_date or today, rate_table(session))
    if computed.result is None or principal_of(invoice) is None:
        raise NothingToClaim(computed.problem or NOT_LATE)
    supplier, service = invoice.structure, invoice.service
    return ClaimData(
        supplier_name=supplier.name,
        supplier_address=postal_address(supplier),
        supplier_siret=supplier.siret,
        recipient_name=invoice.recipient.name,
        recipient_address=postal_address(invoice.recipient),
        recipient_service=(service.name or service.code) if service else "",
        invoice_number=invoice.number,
        invoice_date=invoice.invoice_date or invoice.deposit_date or terms.start_date or today,
        invoice_amount=invoice.amount_incl_tax,
        period_start=terms.start_date or terms.due_date,
        period_days=terms.category.days,
        period_reference=terms.category.legal_reference,
        interruption=terms.interruption,
        due_date=terms.due_date,
        payment_date=terms.payment_date,
        interest=computed.result,
        letter_date=today,
        place=supplier.city,
    )


def filename(invoice: Invoice, extension: str) -> str:
    """« reclamation-interets-moratoires-F-2026-042.pdf »: safe in any header and file system."""
    number = re.sub(r"[^A-Za-z0-9_-]+", "-", invoice.number).strip("-") or str(invoice.id)
    return f"reclamation-interets-moratoires-{number}.{extension}"
