"""The data of the letter claiming late-payment interest for one invoice."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from backend.invoices.models import Invoice
from backend.payments.amounts import owed, principal_of, rate_table
from backend.payments.letter import ClaimData
from backend.payments.service import terms_of

NOT_LATE = (
    "Cette facture n'a pas été payée en retard et n'est pas en retard de paiement : "
    "il n'y a ni intérêts moratoires ni indemnité à réclamer."
)


class NothingToClaim(ValueError):
    """The invoice is not late, or the interest cannot be computed; the message says why."""


def claim_data(session: Session, invoice: Invoice, today: dt.date) -> ClaimData:
    """What the letter says about this invoice; NothingToClaim when there is no delay."""
    history = [(change.code, change.occurred_at) for change in invoice.history]
    terms = terms_of(invoice, history, invoice.recipient, today)
    if terms is None or not terms.is_late or terms.due_date is None:
        raise NothingToClaim(NOT_LATE)
    computed = owed(invoice, terms.due_date, terms.payment_date or today, rate_table(session))
    principal = principal_of(invoice)
    if computed.result is None or principal is None:
        raise NothingToClaim(computed.problem or NOT_LATE)
    supplier = invoice.structure
    address = "\n".join(
        line
        for line in (
            supplier.address_line1,
            supplier.address_line2,
            f"{supplier.postal_code} {supplier.city}",
        )
        if line
    )
    return ClaimData(
        supplier_name=supplier.name,
        supplier_address=address,
        supplier_siret=supplier.siret,
        recipient_name=invoice.recipient.name,
        invoice_number=invoice.number,
        invoice_date=invoice.invoice_date or invoice.deposit_date or terms.start_date or today,
        invoice_amount=principal,
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
