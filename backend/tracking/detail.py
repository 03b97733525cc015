"""One invoice's detail (`InvoiceDetailOut`): the list item, its structure, its whole history
explained and its payment block, read in one statement."""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient, RecipientService, Structure
from backend.accounts.scope import Scope
from backend.invoices.models import Invoice, StatusChange
from backend.invoices.present import explanation, next_action, plain_json, status
from backend.invoices.scoped import ScopedStatement
from backend.payments.models import RecipientHabits
from backend.payments.present import payment_block
from backend.timeutil import paris_today
from backend.tracking.item import ITEM_COLUMNS, ItemRow, item_json


class _Part:
    """One mapped class's columns in the detail's statement, read back as a named tuple
    whose fields are the mapped attributes (what the payment rules read of an `Invoice`)."""

    def __init__(self, model: Any, relations: tuple[str, ...] = ()) -> None:
        mapper = inspect(model)
        attributes = mapper.column_attrs
        self.columns = tuple(a.columns[0] for a in attributes)
        self.View: Any = namedtuple(  # type: ignore[misc]
            f"{model.__name__}Row", (*(a.key for a in attributes), *relations)
        )
        # An outer join found nothing when the primary key is NULL.
        self.key_index = self.columns.index(mapper.primary_key[0])

    def view(self, values: tuple[Any, ...]) -> Any:
        """The named tuple, or None for a row an outer join did not find."""
        return None if values[self.key_index] is None else self.View(*values)


_PARTS = (
    _Part(Invoice, ("recipient", "service", "structure", "recipient_habits", "history")),
    _Part(Recipient),
    _Part(RecipientService),
    _Part(Structure),
    _Part(RecipientHabits),
    _Part(StatusChange),
)
_COLUMNS = [column for part in _PARTS for column in part.columns]
_ENDS = list(accumulate(len(part.columns) for part in _PARTS))
_SLICES = [slice(end - len(part.columns), end) for part, end in zip(_PARTS, _ENDS, strict=True)]
# The list item's columns, picked from the detail's row (the same table columns).
_ITEM = itemgetter(
    *(next(i for i, c in enumerate(_COLUMNS) if c.shares_lineage(item)) for item in ITEM_COLUMNS)
)

# The invoice, its recipient, service, structure, the recipient's payment habits and the
# whole history in one round trip (a row per status change), read as rows: loading ORM
# objects cost four times the statement.
_DETAIL = ScopedStatement(
    lambda scoped: (
        select(*_COLUMNS)
        .select_from(Invoice)
        .join(Recipient, Recipient.id == Invoice.recipient_id)
        .outerjoin(RecipientService, RecipientService.id == Invoice.service_id)
        .join(Structure, Structure.id == Invoice.structure_id)
        .outerjoin(RecipientHabits, RecipientHabits.recipient_id == Invoice.recipient_id)
        .outerjoin(StatusChange, StatusChange.invoice_id == Invoice.id)
        .where(Invoice.id == bindparam("invoice_id"), scoped)
        .order_by(StatusChange.occurred_at, StatusChange.id)
    )
)


@dataclass(frozen=True)
class Detail:
    item: Any  # an `item.ItemRow`
    # The invoice as the payment rules read an `Invoice`: its columns, `recipient`, `service`,
    # `structure`, `recipient_habits` and `history` (named tuples too).
    invoice: Any


def find(session: Session, scope: Scope, invoice_id: int) -> Detail | None:
    """The detail's rows, or None when the user may not see the invoice."""
    rows = _DETAIL.rows(session, scope, invoice_id=invoice_id)
    if not rows:
        return None
    invoice, recipient, service, structure, habits, change = _PARTS
    first = rows[0]
    cut = [tuple(first[s]) for s in _SLICES]
    history = (change.view(tuple(row[_SLICES[-1]])) for row in rows)
    view = invoice.View(
        *cut[0],
        recipient=recipient.view(cut[1]),
        service=service.view(cut[2]),
        structure=structure.view(cut[3]),
        recipient_habits=habits.view(cut[4]),
        history=[step for step in history if step is not None],
    )
    return Detail(ItemRow._make(_ITEM(first)), view)


def _history_step(change: Any, lang: str) -> dict[str, Any]:
    return status(change.code, lang) | {
        "occurred_at": change.occurred_at,
        "comment": change.comment,
        "source": change.source,
        "explanation": explanation(change.code, lang),
        "action": next_action(change.code, lang),
    }


def invoice_detail(
    found: Detail, lang: str, session: Session, today: dt.date | None = None
) -> dict[str, Any]:
    """The detail as JSON; the session gives the ECB rates of a late invoice."""
    today = today or paris_today()
    invoice = found.invoice
    structure = invoice.structure
    return item_json(found.item, lang, today) | plain_json(
        {
            "structure": {"id": structure.id, "siret": structure.siret, "name": structure.name},
            "explanation": explanation(invoice.status_code, lang),
            "next_action": next_action(invoice.status_code, lang),
            "history": [_history_step(change, lang) for change in invoice.history],
            "payment": payment_block(invoice, session, today),
        }
    )
