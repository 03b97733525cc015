"""The payment block of an invoice's detail: deadline, delay, interest, habits, explained."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from backend.invoices.models import Invoice
from backend.payments.amounts import nothing_to_pay, owed, rate_table
from backend.payments.deadlines import PaymentTerms, RecipientCategory
from backend.payments.habits import PaymentHabits
from backend.payments.interest import InterestResult
from backend.payments.service import category_code, category_of, terms_of
from backend.timeutil import paris_today

UNREPORTED = (
    "Ce destinataire ne transmet pas la mise en paiement au portail : Relais ne peut pas "
    "savoir si la facture a été payée, le retard affiché reste à vérifier."
)
NO_PERIOD = "Aucun délai de paiement ne court : la facture ne peut pas être en retard."


def category_out(category: RecipientCategory) -> dict[str, Any]:
    return {
        "code": category_code(category),
        "days": category.days,
        "label": category.label_fr,
        "legal_reference": category.legal_reference,
    }


def state_of(terms: PaymentTerms) -> str:
    """One word for the phone: where the invoice stands against its deadline."""
    if terms.rejected:
        return "rejected"
    if terms.is_paid and terms.has_deadline:
        return "paid_late" if terms.is_late else "paid_on_time"
    if not terms.has_deadline:
        return "paid" if terms.is_paid else "not_started"
    if terms.awaiting_documents:
        return "suspended"
    return "late" if terms.is_late else "running"


def interest_out(result: InterestResult) -> dict[str, Any]:
    ecb = result.ecb_rate
    assert ecb is not None
    return {
        "principal": result.principal,
        "delay_start": result.delay_start,
        "end_date": result.end_date,
        "days": result.days_late,
        "ecb_half_year_start": ecb.half_year_start,
        "ecb_rate_percent": ecb.rate_percent,
        "ecb_source": ecb.source,
        "rate_percent": result.rate_percent,
        "interest": result.interest,
        "indemnity": result.indemnity,
        "total": result.total,
        "steps": list(result.steps),
    }


def habits_out(invoice: Invoice) -> dict[str, Any] | None:
    row = invoice.recipient_habits  # joined by the detail's query
    if row is None:
        return None
    habits = PaymentHabits(row.median_days, row.p90_days, row.observations, row.suppliers)
    return {
        "median_days": row.median_days,
        "p90_days": row.p90_days,
        "observations": row.observations,
        "suppliers": row.suppliers,
        "sentence": f"{invoice.recipient.name} {habits.sentence_fr}.",
    }


def payment_block(
    invoice: Invoice, session: Session, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything about when this invoice is due and what a late payment costs.

    `invoice` is an `Invoice` or the detail's row (`tracking.detail.find`), which reads the
    same; the session gives the ECB rates of a late one."""
    today = today or paris_today()
    history = [(change.code, change.occurred_at) for change in invoice.history]
    terms = terms_of(invoice, history, invoice.recipient, today)
    if terms is None:
        nothing = nothing_to_pay(invoice)
        assert nothing is not None
        state, explanation = nothing.state, [f"{nothing.reason} {NO_PERIOD}"]
    else:
        state, explanation = state_of(terms), list(terms.explanation)
    reported = not invoice.recipient.payment_status_not_reported
    if not reported and state in ("late", "running"):
        explanation.append(UNREPORTED)
    computed = None
    if terms is not None and terms.is_late:
        end = terms.payment_date or today
        computed = owed(invoice, terms.due_date, end, rate_table(session))
    return {
        "category": category_out(category_of(invoice.recipient)),
        "state": state,
        "start_date": terms.start_date if terms else None,
        "suspensions": [
            {
                "start": s.start,
                "end": s.end,
                "days": s.days(today),
                "balance_days": s.balance_days,
                "new_period_days": s.new_days,
            }
            for s in (terms.suspensions if terms else ())
        ],
        "suspended_days": terms.suspended_days if terms else 0,
        "due_date": terms.due_date if terms else None,
        "due_date_provisional": bool(terms and terms.awaiting_documents),
        "paid_on": terms.payment_date if terms else None,
        "days_until_due": terms.days_until_due if terms else None,
        "days_late": terms.days_late if terms else 0,
        "payment_reported": reported,
        "interest": (
            interest_out(computed.result) | {"final": state == "paid_late"}
            if computed and computed.result
            else None
        ),
        "interest_problem": computed.problem if computed else None,
        "explanation": explanation,
        "habits": habits_out(invoice),
        "claim_available": bool(computed and computed.result),
    }
