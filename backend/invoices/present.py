"""Turn invoices and statuses into the phone's words (French, or English on request)."""

from __future__ import annotations

import datetime as dt
import functools
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
    return dict(_status(code, lang))


@functools.lru_cache(maxsize=1024)
def _status(code: str, lang: str) -> dict[str, Any]:
    """`status`, computed once per code and language (callers get a copy)."""
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


def acknowledgement(invoice: Invoice | Any, today: dt.date | None = None) -> dict[str, Any] | None:
    """The 7 days to acknowledge a rejected or suspended invoice, counted in Paris days."""
    if invoice.status_code not in ACK_CODES:
        return None
    changed = invoice.status_changed_at.astimezone(PARIS).date()
    deadline = changed + dt.timedelta(days=ACK_DAYS)
    days_left = (deadline - (today or paris_today())).days
    return {"deadline": deadline, "days_left": days_left, "overdue": days_left < 0}


def _party(party: Any, key: str) -> dict[str, Any]:
    """A recipient or structure (id, SIRET, name), or a service (id, code, name)."""
    return {"id": party.id, key: getattr(party, key), "name": party.name}


def invoice_item(invoice: Invoice, lang: str) -> dict[str, Any]:
    item = {
        "id": invoice.id,
        "portal_id": invoice.portal_id,
        "number": invoice.number,
        "type": invoice.type,
        "billing_framework": invoice.billing_framework,
        "structure_id": invoice.structure_id,
        "recipient": _party(invoice.recipient, "siret"),
        "service": None if invoice.service is None else _party(invoice.service, "code"),
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


def plain_json(value: Any) -> Any:
    """A report (dicts, lists, numbers, text, amounts, dates) as its schema dumps it.

    Every amount is shown with two decimals, dates and times in ISO 8601: what the Synthèse
    and the Tableau de bord hold. Walking the dict costs a fraction of a schema dump (the
    Synthèse lists up to 50 invoices); tests/invoices/test_present.py checks both agree."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    if isinstance(value, Decimal):
        return _money(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value


def invoice_row_json(row: Any, lang: str, today: dt.date | None = None) -> dict[str, Any]:
    """A list item from a row of `queries.ITEM_COLUMNS`, as the InvoiceOut schema dumps it.

    The list serialises 20 of these per page; building them directly from rows costs a
    fraction of ORM objects and a schema dump. tests/invoices/test_present.py checks both
    always agree.
    """
    today = today or paris_today()
    ack = acknowledgement(row, today)
    if ack is not None:
        ack["deadline"] = ack["deadline"].isoformat()
    service = None
    if row.service_id is not None:
        service = {"id": row.service_id, "code": row.service_code, "name": row.service_name}
    return {
        "id": row.id,
        "portal_id": row.portal_id,
        "number": row.number,
        "type": row.type,
        "billing_framework": row.billing_framework,
        "structure_id": row.structure_id,
        "recipient": {
            "id": row.recipient_id,
            "siret": row.recipient_siret,
            "name": row.recipient_name,
        },
        "service": service,
        "engagement_number": row.engagement_number,
        "invoice_date": _iso(row.invoice_date),
        "deposit_date": _iso(row.deposit_date),
        "amount_excl_tax": _money(row.amount_excl_tax),
        "amount_incl_tax": _money(row.amount_incl_tax),
        "amount_to_pay": _money(row.amount_to_pay),
        "currency": row.currency,
        "deposit_mode": row.deposit_mode,
        "status": _status(row.status_code, lang)
        | {"comment": row.status_comment, "changed_at": _iso(row.status_changed_at)},
        "acknowledgement": ack,
        "due_on": _iso(row.due_on),
        "late": late(row, today),
    }


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
        "structure": _party(invoice.structure, "siret"),
        "explanation": info.explanation(lang) if info else UNKNOWN_EXPLANATION[lang == "en"],
        "next_action": (info.action(lang) or None) if info else None,
        "history": [history_step(c, lang) for c in invoice.history],
        "payment": payment_block(invoice),
    }
