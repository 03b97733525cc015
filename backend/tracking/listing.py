"""The invoice list: keyset pages of list items, newest status change (or nearest due date)
first, with the list's total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlakeyset import select_page
from sqlakeyset.results import Paging
from sqlakeyset.types import Marker
from sqlalchemy import Select, bindparam, func, select, tuple_
from sqlalchemy.orm import Bundle, Session

from backend.accounts.models import Recipient, RecipientService
from backend.accounts.scope import Scope
from backend.accounts.visibility import unrestricted_ids
from backend.db.direct import DirectSelect
from backend.invoices.models import Invoice
from backend.invoices.scoped import expanding, visible
from backend.invoices.totals import COUNTED, counted
from backend.paging import decode_cursor, encode_cursor
from backend.payments.queries import (
    DUE_CURSOR_PREFIX,
    ordering,
    place_fits,
    sort_conditions,
)
from backend.tracking.filters import InvoiceFilters
from backend.tracking.item import ITEM_COLUMNS, ItemRow


@dataclass
class InvoicePage:
    items: list[Any]  # rows of ITEM_COLUMNS
    total: int
    next_cursor: str | None
    prev_cursor: str | None


def item_select(*columns: Any) -> Select[Any]:
    """Invoices with their recipient and service, for list items (`.where` filters them)."""
    return (
        select(*(columns or ITEM_COLUMNS))
        .select_from(Invoice)
        .join(Recipient, Recipient.id == Invoice.recipient_id)
        .outerjoin(RecipientService, RecipientService.id == Invoice.service_id)
    )


def _page_statement(codes: bool, place: bool, backwards: bool) -> Select[Any]:
    """The most common page (whole structures, newest change first), built once.

    The keyset condition is a row comparison, which PostgreSQL matches to the index
    (structure_id, status_changed_at, id); pages backwards run in reverse order. Each row
    also carries the list's total, from the counts, in the same round trip."""
    total = COUNTED[codes].scalar_subquery().label("total")
    query = item_select(*ITEM_COLUMNS, total)
    query = query.where(Invoice.structure_id.in_(expanding("structure_ids")))
    if codes:
        query = query.where(Invoice.status_code.in_(expanding("codes")))
    key = tuple_(Invoice.status_changed_at, Invoice.id)
    if place:
        mark = tuple_(bindparam("at", type_=Invoice.status_changed_at.type), bindparam("id"))
        query = query.where(key > mark if backwards else key < mark)
    if backwards:
        order = (Invoice.status_changed_at.asc(), Invoice.id.asc())
    else:
        order = (Invoice.status_changed_at.desc(), Invoice.id.desc())
    return query.order_by(*order).limit(bindparam("limit"))


_PAGES = {
    (codes, place, backwards): DirectSelect(_page_statement(codes, place, backwards))
    for codes in (False, True)
    for place in (False, True)
    for backwards in (False, True)
}


def _common_page(
    session: Session,
    structure_ids: list[int],
    codes: list[str] | None,
    limit: int,
    marker: Marker | None,
) -> tuple[Paging[Any], int | None]:
    """A page of the common list with the statements above, and the list's total (None for
    an empty page after a cursor). sqlakeyset's own Paging makes the cursors, so both ways of
    paging hand out the same ones."""
    place = marker.place if marker else None
    backwards = bool(marker and marker.backwards)
    statement = _PAGES[(codes is not None, place is not None, backwards)]
    params: dict[str, Any] = {"structure_ids": structure_ids, "limit": limit + 1}
    if codes is not None:
        params["codes"] = codes
    if place is not None:
        params["at"], params["id"] = place
    rows = statement.rows(session, params) if structure_ids else []
    places = [(row.status_changed_at, row.id) for row in rows]
    if rows:
        total: int | None = int(rows[0].total)
    else:  # an empty first page means an empty list; past the end, count apart
        total = 0 if place is None else None
    return Paging(rows, limit, backwards, place, places=places), total


class _Item(Bundle[Any]):
    """The item's columns in sqlakeyset's statement, read back as an `ItemRow`."""

    def create_row_processor(self, query: Any, procs: Any, labels: Any) -> Any:
        make = ItemRow._make
        return lambda row: make([proc(row) for proc in procs])


_ITEM = _Item("item", *ITEM_COLUMNS)


def _any_page(
    session: Session,
    scope: Scope,
    filters: InvoiceFilters,
    limit: int,
    marker: Marker | None,
    sort: str,
) -> Paging[Any]:
    """Any other page (restricted grants, other filters, by due date), through sqlakeyset."""
    query = (
        item_select(Invoice.status_changed_at, Invoice.id, _ITEM)
        .where(visible(scope), *filters.conditions(), *sort_conditions(sort))
        .order_by(*ordering(sort))
    )
    page = select_page(session, query, per_page=limit, page=marker)
    paging: Paging[Any] = page.paging
    paging.rows = [row.item for row in paging.rows]
    return paging


def _prefix(sort: str) -> str:
    return DUE_CURSOR_PREFIX if sort == "due_on" else ""


def list_invoices(
    session: Session,
    scope: Scope,
    filters: InvoiceFilters,
    limit: int,
    cursor: str | None,
    sort: str = "changed_at",
) -> InvoicePage:
    """Most recent status change first (or nearest due date); keyset pages stay fast.

    Raises `paging.InvalidCursor` for a cursor it did not hand out for this order."""
    marker = None
    if cursor:
        marker = decode_cursor(cursor, _prefix(sort), lambda place: place_fits(sort, place))
    common = sort == "changed_at" and filters.only_by_structure_and_status()
    whole = unrestricted_ids(scope, filters.structure_ids) if common else None
    total: int | None = None
    if whole is not None:
        paging, total = _common_page(session, whole, filters.status_codes(), limit, marker)
    else:
        paging = _any_page(session, scope, filters, limit, marker, sort)
    if total is None and common:
        total = counted(session, scope, filters.status_codes(), filters.structure_ids)
    elif total is None:
        total = session.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(visible(scope), *filters.conditions(), *sort_conditions(sort))
        )
    return InvoicePage(
        items=paging.rows,
        total=int(total or 0),
        next_cursor=(
            encode_cursor(paging.bookmark_next, _prefix(sort)) if paging.has_next else None
        ),
        prev_cursor=(
            encode_cursor(paging.bookmark_previous, _prefix(sort)) if paging.has_previous else None
        ),
    )
