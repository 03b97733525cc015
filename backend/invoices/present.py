"""Turn invoices and statuses into the phone's words (French, or English on request)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.invoices.models import Invoice, StatusChange
from backend.invoices.statuses import (
    ACK_CODES,
    ACK_DAYS,
    CATEGORY_LABELS,
    status_info,
    status_label,
)
from backend.payments.present import is_late, late, payment_block
from backend.timeutil import PARIS, paris_today

UNKNOWN_EXPLANATION = (
    "Statut non répertorié par Relais : il est affiché tel que le portail l'a transmis.",
    "Status unknown to Relais: shown as the portal sent it.",
)


def status(code: str, lang: str) -> dict[str, Any]:
    """Label, category and reform code of a status; an unknown code keeps its code and reads
    as words."""
    return dict(_status(code, lang))


@functools.lru_cache(maxsize=1024)
def _status(code: str, lang: str) -> dict[str, Any]:
    """`status`, computed once per code and language (callers get a copy)."""
    info = status_info(code)
    if info is None:
        return {
            "code": code,
            "label": status_label(code, lang),
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
    """A rejected or suspended invoice's acknowledgement on the portal, mandatory at login
    7 days after the status (counted in Paris days)."""
    if invoice.status_code not in ACK_CODES:
        return None
    return _acknowledgement(invoice.status_changed_at, today or paris_today())


def _acknowledgement(changed_at: dt.datetime, today: dt.date) -> dict[str, Any]:
    """When the portal's login pop-up makes the acknowledgement mandatory (not a legal
    deadline: the portal then asks for it before anything else)."""
    mandatory_from = changed_at.astimezone(PARIS).date() + dt.timedelta(days=ACK_DAYS)
    days = (mandatory_from - today).days
    return {"mandatory_from": mandatory_from, "days_until_mandatory": days, "mandatory": days <= 0}


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


_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain_json(value: Any) -> Any:
    """A report (dicts, lists, numbers, text, amounts, dates) as its schema dumps it.

    Every amount is shown with two decimals, dates and times in ISO 8601: what the Synthèse
    and the Tableau de bord hold. Walking the dict costs a fraction of a schema dump (the
    Synthèse lists up to 50 invoices); tests/invoices/test_present.py checks both agree.
    Text, numbers and None, most of the leaves, are kept without a call."""
    if isinstance(value, dict):
        return {k: v if type(v) in _AS_IS else plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _AS_IS else plain_json(v) for v in value]
    if isinstance(value, Decimal):
        return _money(value)
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value


# The first columns of a list row, in the order of `queries.ITEM_COLUMNS` (a test checks).
ROW_FIELDS = (
    "id",
    "portal_id",
    "number",
    "type",
    "billing_framework",
    "structure_id",
    "engagement_number",
    "invoice_date",
    "deposit_date",
    "amount_excl_tax",
    "amount_incl_tax",
    "amount_to_pay",
    "currency",
    "deposit_mode",
    "status_code",
    "status_comment",
    "status_changed_at",
    "due_on",
    "paid_on",
    "recipient_id",
    "recipient_siret",
    "recipient_name",
    "service_id",
    "service_code",
    "service_name",
)
_ROW_WIDTH = len(ROW_FIELDS)


def invoice_row_json(row: Any, lang: str, today: dt.date | None = None) -> dict[str, Any]:
    """A list item from a row of `queries.ITEM_COLUMNS`, as the InvoiceOut schema dumps it.

    The list serialises 20 of these per page; building them directly from rows costs a
    fraction of ORM objects and a schema dump, and unpacking the row once a fraction of
    reading its 25 columns by name. tests/invoices/test_present.py checks both agree.
    """
    today = today or paris_today()
    (
        id_,
        portal_id,
        number,
        type_,
        billing_framework,
        structure_id,
        engagement_number,
        invoice_date,
        deposit_date,
        amount_excl_tax,
        amount_incl_tax,
        amount_to_pay,
        currency,
        deposit_mode,
        status_code,
        status_comment,
        status_changed_at,
        due_on,
        paid_on,
        recipient_id,
        recipient_siret,
        recipient_name,
        service_id,
        service_code,
        service_name,
    ) = row[:_ROW_WIDTH]
    ack = None
    if status_code in ACK_CODES:
        ack = _acknowledgement(status_changed_at, today)
        ack["mandatory_from"] = ack["mandatory_from"].isoformat()
    return {
        "id": id_,
        "portal_id": portal_id,
        "number": number,
        "type": type_,
        "billing_framework": billing_framework,
        "structure_id": structure_id,
        "recipient": {"id": recipient_id, "siret": recipient_siret, "name": recipient_name},
        "service": (
            None
            if service_id is None
            else {"id": service_id, "code": service_code, "name": service_name}
        ),
        "engagement_number": engagement_number,
        "invoice_date": None if invoice_date is None else invoice_date.isoformat(),
        "deposit_date": None if deposit_date is None else deposit_date.isoformat(),
        "amount_excl_tax": _money(amount_excl_tax),
        "amount_incl_tax": _money(amount_incl_tax),
        "amount_to_pay": _money(amount_to_pay),
        "currency": currency,
        "deposit_mode": deposit_mode,
        "status": _status(status_code, lang)
        | {"comment": status_comment, "changed_at": status_changed_at.isoformat()},
        "acknowledgement": ack,
        "due_on": None if due_on is None else due_on.isoformat(),
        "late": is_late(paid_on, due_on, today),
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


def invoice_detail(invoice: Invoice, lang: str, session: Session) -> dict[str, Any]:
    """The detail of an `Invoice`, or of the row `queries.get_invoice` reads (the same
    attributes)."""
    info = status_info(invoice.status_code)
    return invoice_item(invoice, lang) | {
        "structure": _party(invoice.structure, "siret"),
        "explanation": info.explanation(lang) if info else UNKNOWN_EXPLANATION[lang == "en"],
        "next_action": (info.action(lang) or None) if info else None,
        "history": [history_step(c, lang) for c in invoice.history],
        "payment": payment_block(invoice, session),
    }
