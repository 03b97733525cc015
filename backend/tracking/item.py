"""A list item: its columns, declared once, and the one builder of its JSON (`InvoiceOut`)."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from typing import Any

from backend.accounts.models import Recipient, RecipientService
from backend.invoices.models import Invoice
from backend.invoices.present import acknowledgement, money, status
from backend.invoices.statuses import ACK_CODES
from backend.payments.lateness import is_late

# What a list item reads, as plain columns (building ORM objects for a page cost more than
# the query). The statements select them in this order and their rows are named tuples of
# these names (`ItemRow`): the builder below reads them by name.
ITEM_COLUMNS = (
    Invoice.id,
    Invoice.portal_id,
    Invoice.number,
    Invoice.type,
    Invoice.billing_framework,
    Invoice.structure_id,
    Invoice.engagement_number,
    Invoice.invoice_date,
    Invoice.deposit_date,
    Invoice.amount_excl_tax,
    Invoice.amount_incl_tax,
    Invoice.amount_to_pay,
    Invoice.currency,
    Invoice.deposit_mode,
    Invoice.status_code,
    Invoice.status_comment,
    Invoice.status_changed_at,
    Invoice.due_on,
    Invoice.paid_on,
    Recipient.id.label("recipient_id"),
    Recipient.siret.label("recipient_siret"),
    Recipient.name.label("recipient_name"),
    RecipientService.id.label("service_id"),
    RecipientService.code.label("service_code"),
    RecipientService.name.label("service_name"),
)
ITEM_NAMES = tuple(column.key for column in ITEM_COLUMNS)
ItemRow = namedtuple("ItemRow", ITEM_NAMES)  # type: ignore[misc]


def _acknowledgement(code: str, changed_at: dt.datetime, today: dt.date) -> dict[str, Any]:
    """`present.acknowledgement` of a rejected or suspended invoice, its day as JSON."""
    found = acknowledgement(code, changed_at, today)
    assert found is not None
    found["mandatory_from"] = found["mandatory_from"].isoformat()
    return found


def item_json(row: Any, lang: str, today: dt.date) -> dict[str, Any]:
    """The item of a row of `ITEM_COLUMNS` (any row with their names), as JSON.

    The list serialises up to 100 of these per page: built directly, they cost a fraction of
    ORM objects and a schema dump (tests check the schema would dump the same). Fields read
    twice are read once."""
    code, changed_at, service_id = row.status_code, row.status_changed_at, row.service_id
    invoice_date, deposit_date, due_on = row.invoice_date, row.deposit_date, row.due_on
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
        "service": (
            None
            if service_id is None
            else {"id": service_id, "code": row.service_code, "name": row.service_name}
        ),
        "engagement_number": row.engagement_number,
        "invoice_date": None if invoice_date is None else invoice_date.isoformat(),
        "deposit_date": None if deposit_date is None else deposit_date.isoformat(),
        "amount_excl_tax": money(row.amount_excl_tax),
        "amount_incl_tax": money(row.amount_incl_tax),
        "amount_to_pay": money(row.amount_to_pay),
        "currency": row.currency,
        "deposit_mode": row.deposit_mode,
        "status": status(code, lang)
        | {"comment": row.status_comment, "changed_at": changed_at.isoformat()},
        "acknowledgement": (
            _acknowledgement(code, changed_at, today) if code in ACK_CODES else None
        ),
        "due_on": None if due_on is None else due_on.isoformat(),
        "late": is_late(row.paid_on, due_on, today),
    }
