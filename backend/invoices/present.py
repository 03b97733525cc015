"""Turn invoices and statuses into the phone's words (French, or English on request)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from backend.invoices.models import Invoice, StatusChange
from backend.invoices.statuses import ACK_CODES, ACK_DAYS, CATEGORY_LABELS, status_info
from backend.payments.present import late, payment_block
from backend.timeutil import PARIS, paris_today

UNKNOWN_EXPLANATION = (
    "Statut non répertorié par Relais : il est affiché tel que le portail l'a transmis.",
    "Status unknown to Relais: shown as the portal sent it.",
)


def status(code: str, lang: str) -> dict[str, Any]:
    """Label, category and reform code of a status; unknown codes are shown raw."""
    info = status_info(code)
    if info is None:
        return {
            "code": code,
            "label": code,
            "known": False,
            "category": None,
            "category_label": None,
            "lifecycle_code": None,
            "action_required": False,
            "final": False,
        }
    return {
        "code": code,
        "label": info.label(lang),
        "known": True,
        "category": info.category.value,
        "category_label": CATEGORY_LABELS[info.category][1 if lang == "en" else 0],
        "lifecycle_code": info.lifecycle_code,
        "action_required": info.action_required,
        "final": info.final,
    }


def acknowledgement(invoice: Invoice, today: dt.date | None = None) -> dict[str, Any] | None:
    """The 7 days to acknowledge a rejected or suspended invoice, counted in Paris days."""
    if invoice.status_code not in ACK_CODES:
        return None
    changed = invoice.status_changed_at.astimezone(PARIS).date()
    deadline = changed + dt.timedelta(days=ACK_DAYS)
    days_left = (deadline - (today or paris_today())).days
    return {"deadline": deadline, "days_left": days_left, "overdue": days_left < 0}


def invoice_item(invoice: Invoice, lang: str) -> dict[str, Any]:
    item = {
        "id": invoice.id,
        "portal_id": invoice.portal_id,
        "number": invoice.number,
        "type": invoice.type,
        "billing_framework": invoice.billing_framework,
        "structure_id": invoice.structure_id,
        "recipient": invoice.recipient,
        "service": invoice.service,
        "engagement_number": invoice.engagement_number,
        "invoice_date": invoice.invoice_date,
        "deposit_date": invoice.deposit_date,
        "amount_excl_tax": invoice.amount_excl_tax,
        "amount_incl_tax": invoice.amount_incl_tax,
        "amount_to_pay": invoice.amount_to_pay,
        "currency": invoice.currency,
        "deposit_mode": invoice.deposit_mode,
        "status": status(invoice.status_code, lang)
        | {"comment": invoice.status_comment, "changed_at": invoice.status_changed_at},
        "acknowledgement": acknowledgement(invoice),
        "due_on": invoice.due_on,
        "late": late(invoice),
    }
    return item


CENT = Decimal("0.01")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(CENT), "f")


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def invoice_item_json(invoice: Invoice, lang: str) -> dict[str, Any]:
    """`invoice_item` as JSON values, as the InvoiceOut schema would dump it.

    The list serialises 25 of these per page; building them directly costs a fraction of a
    schema dump. tests/invoices/test_present.py checks both always agree.
    """
    item = invoice_item(invoice, lang)
    recipient, service = invoice.recipient, invoice.service
    item["recipient"] = {"id": recipient.id, "siret": recipient.siret, "name": recipient.name}
    item["service"] = (
        None if service is None else {"id": service.id, "code": service.code, "name": service.name}
    )
    for name in ("invoice_date", "deposit_date", "due_on"):
        item[name] = _iso(item[name])
    for name in ("amount_excl_tax", "amount_incl_tax", "amount_to_pay"):
        item[name] = _money(item[name])
    item["status"]["changed_at"] = _iso(item["status"]["changed_at"])
    if item["acknowledgement"] is not None:
        item["acknowledgement"]["deadline"] = _iso(item["acknowledgement"]["deadline"])
    return item


def history_step(change: StatusChange, lang: str) -> dict[str, Any]:
    info = status_info(change.code)
    explanation = info.explanation(lang) if info else UNKNOWN_EXPLANATION[lang == "en"]
    return status(change.code, lang) | {
        "occurred_at": change.occurred_at,
        "comment": change.comment,
        "source": change.source,
        "explanation": explanation,
        "action": (info.action(lang) or None) if info else None,
    }


def invoice_detail(invoice: Invoice, lang: str) -> dict[str, Any]:
    info = status_info(invoice.status_code)
    return invoice_item(invoice, lang) | {
        "structure": invoice.structure,
        "explanation": info.explanation(lang) if info else UNKNOWN_EXPLANATION[lang == "en"],
        "next_action": (info.action(lang) or None) if info else None,
        "history": [history_step(c, lang) for c in invoice.history],
        "payment": payment_block(invoice),
    }
