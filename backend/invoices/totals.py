"""How many invoices a scope sees, per structure and status: from the counts `ingest.record`
keeps (`invoice_counts`), or counted over the invoices when a period narrows them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from backend.accounts.scope import Scope
from backend.accounts.visibility import granted, unrestricted_ids
from backend.db.direct import DirectSelect
from backend.invoices import counts
from backend.invoices.models import Invoice, InvoiceCount
from backend.invoices.scoped import expanding, visible

CountRow = tuple[int, str, int, Decimal]  # structure, status, count, amount incl. tax

_COUNTED = select(func.coalesce(func.sum(InvoiceCount.count), 0)).where(
    InvoiceCount.structure_id.in_(expanding("structure_ids")),
    InvoiceCount.service_key == counts.ALL_SERVICES,
)
# How many invoices whole structures (parameter `structure_ids`) hold, of some statuses
# (`codes`) when True.
COUNTED: dict[bool, Select[Any]] = {
    False: _COUNTED,
    True: _COUNTED.where(InvoiceCount.status_code.in_(expanding("codes"))),
}
_COUNT = {codes: DirectSelect(statement) for codes, statement in COUNTED.items()}

_STATUS_COUNT_COLUMNS = select(
    InvoiceCount.structure_id,
    InvoiceCount.status_code,
    InvoiceCount.count,
    InvoiceCount.amount_incl_tax,
).where(
    InvoiceCount.structure_id.in_(expanding("structure_ids")),
    InvoiceCount.service_key == counts.ALL_SERVICES,
    InvoiceCount.count > 0,
)
# The counts of whole structures (parameter `structure_ids`), of some statuses (`codes`).
STATUS_COUNT_ROWS = {
    False: _STATUS_COUNT_COLUMNS,
    True: _STATUS_COUNT_COLUMNS.where(InvoiceCount.status_code.in_(expanding("codes"))),
}
_STATUS_COUNTS = {codes: DirectSelect(rows) for codes, rows in STATUS_COUNT_ROWS.items()}


def _count_conditions(
    scope: Scope, codes: Sequence[str] | None, structure_ids: Sequence[int] = ()
) -> list[ColumnElement[bool]]:
    all_services = InvoiceCount.service_key == counts.ALL_SERVICES
    conds = [granted(scope, InvoiceCount.structure_id, InvoiceCount.service_key, all_services)]
    if codes is not None:
        conds.append(InvoiceCount.status_code.in_(codes))
    if structure_ids:
        conds.append(InvoiceCount.structure_id.in_(structure_ids))
    return conds


def _params(structure_ids: list[int], codes: Sequence[str] | None) -> dict[str, Any]:
    params: dict[str, Any] = {"structure_ids": structure_ids}
    if codes is not None:
        params["codes"] = list(codes)
    return params


def counted(
    session: Session, scope: Scope, codes: Sequence[str] | None, structure_ids: Sequence[int] = ()
) -> int:
    """How many visible invoices have one of these statuses (all when None), from the counts."""
    whole = unrestricted_ids(scope, structure_ids)
    if whole is not None:
        if not whole:
            return 0
        return int(_COUNT[codes is not None].rows(session, _params(whole, codes))[0][0] or 0)
    total = session.scalar(
        select(func.coalesce(func.sum(InvoiceCount.count), 0)).where(
            *_count_conditions(scope, codes, structure_ids)
        )
    )
    return int(total or 0)


def status_counts(
    session: Session, scope: Scope, codes: Sequence[str] | None = None
) -> list[CountRow]:
    """(structure id, status, count, sum of amounts incl. tax) rows, from the counts."""
    whole = unrestricted_ids(scope)
    if whole is not None:
        if not whole:
            return []
        found = _STATUS_COUNTS[codes is not None].rows(session, _params(whole, codes))
        return [(r[0], r[1], int(r[2]), Decimal(r[3] or 0)) for r in found]
    rows = session.execute(
        select(
            InvoiceCount.structure_id,
            InvoiceCount.status_code,
            func.sum(InvoiceCount.count),
            func.sum(InvoiceCount.amount_incl_tax),
        )
        .where(*_count_conditions(scope, codes), InvoiceCount.count > 0)
        .group_by(InvoiceCount.structure_id, InvoiceCount.status_code)
    ).all()
    return [(r[0], r[1], int(r[2]), Decimal(r[3] or 0)) for r in rows]


def counts_by_status(
    session: Session, scope: Scope, conditions: Sequence[ColumnElement[bool]] = ()
) -> list[CountRow]:
    """The same rows, counted over the visible invoices that meet `conditions`."""
    rows = session.execute(
        select(
            Invoice.structure_id,
            Invoice.status_code,
            func.count(),
            func.coalesce(func.sum(Invoice.amount_incl_tax), 0),
        )
        .where(visible(scope), *conditions)
        .group_by(Invoice.structure_id, Invoice.status_code)
    ).all()
    return [(r[0], r[1], int(r[2]), Decimal(r[3] or 0)) for r in rows]
