"""Read-side queries of the phone API, always filtered by the user's scope."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil import parser as dateutil_parser
from sqlakeyset import select_page
from sqlakeyset.results import Paging, unserialize_bookmark
from sqlakeyset.results import s as bookmark_serial
from sqlakeyset.serial import BadBookmark
from sqlakeyset.types import Marker
from sqlalchemy import Select, and_, bindparam, false, func, or_, select, tuple_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Bundle, Session
from sqlalchemy.sql import ColumnElement

from backend.accounts.models import Recipient, RecipientService, Structure
from backend.accounts.scope import Scope
from backend.db.direct import DirectSelect
from backend.invoices import counts
from backend.invoices.models import Invoice, InvoiceCount, StatusChange
from backend.invoices.statuses import Category, codes_in_category
from backend.payments.models import RecipientHabits
from backend.payments.queries import (
    DUE_CURSOR_PREFIX,
    ordering,
    payment_conditions,
    place_fits,
    sort_conditions,
)
from backend.timeutil import PARIS


class InvalidCursor(ValueError):
    """The pagination cursor cannot be read."""


def visible(scope: Scope) -> ColumnElement[bool]:
    """Invoices of the user's structures, within their services when restricted."""
    return _granted(scope, Invoice.structure_id, Invoice.service_id)


def _granted(
    scope: Scope,
    structure: Any,
    service: Any,
    whole_structure: ColumnElement[bool] | None = None,
) -> ColumnElement[bool]:
    """Rows of the scope's structures; of the allowed services for restricted grants.

    `whole_structure` narrows the rows read for unrestricted grants (the counts' row for all
    services)."""
    whole = [g.structure_id for g in scope.grants if not g.service_ids]
    clauses: list[ColumnElement[bool]] = []
    if whole:
        in_whole = structure.in_(whole)
        clauses.append(in_whole if whole_structure is None else and_(in_whole, whole_structure))
    for grant in scope.grants:
        if grant.service_ids:
            clauses.append(and_(structure == grant.structure_id, service.in_(grant.service_ids)))
    return or_(*clauses) if clauses else false()


def unrestricted_ids(scope: Scope, structure_ids: Sequence[int] = ()) -> list[int] | None:
    """The structures to read when no grant restricts services (the common case), narrowed
    to `structure_ids` when given; None when a grant is restricted to some services.

    Such scopes use statements built once (below): only their parameters change, and
    building a statement costs more than running it."""
    if any(g.service_ids for g in scope.grants):
        return None
    if not structure_ids:
        return scope.structure_ids
    wanted = set(structure_ids)
    return [i for i in scope.structure_ids if i in wanted]


def _ids(name: str) -> Any:
    return bindparam(name, expanding=True)


class ScopedStatement:
    """A statement over the visible invoices, built once for unrestricted scopes.

    `build` takes the visibility condition and returns the statement; its other values are
    bind parameters. Restricted scopes build it per request with their own condition.
    Statements of columns give `rows` (named tuples): built once, they run as a
    `DirectSelect` on PostgreSQL. `orm=True` for those that load mapped objects (`execute`)."""

    def __init__(self, build: Callable[[ColumnElement[bool]], Any], *, orm: bool = False) -> None:
        self.build = build
        self.orm = orm
        self.prebuilt = build(Invoice.structure_id.in_(_ids("structure_ids")))
        self.direct = None if orm else DirectSelect(self.prebuilt)

    def for_scope(self, scope: Scope) -> tuple[Any, dict[str, Any]]:
        ids = unrestricted_ids(scope)
        if ids is None:
            return self.build(visible(scope)), {}
        return self.prebuilt, {"structure_ids": ids}

    def execute(self, session: Session, scope: Scope, **params: Any) -> Any:
        """The ORM result (statements of mapped objects)."""
        statement, scoped = self.for_scope(scope)
        return session.execute(statement, params | scoped)

    def rows(self, session: Session, scope: Scope, **params: Any) -> list[Any]:
        """Every row, as named tuples (statements of columns)."""
        assert self.direct is not None, "an ORM statement: use execute()"
        statement, scoped = self.for_scope(scope)
        if statement is self.prebuilt:
            return self.direct.rows(session, params | scoped)
        found = session.connection().execute(statement, params).all()
        return [self.direct.Row._make(row) for row in found]


@dataclass
class InvoiceFilters:
    statuses: Sequence[str] = ()
    categories: Sequence[str] = ()
    structure_ids: Sequence[int] = ()
    recipient_ids: Sequence[int] = ()
    invoice_date_from: dt.date | None = None
    invoice_date_to: dt.date | None = None
    changed_from: dt.date | None = None
    changed_to: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str | None = None
    payment: str | None = None
    due_within: int | None = None

    def status_codes(self) -> list[str] | None:
        """The statuses asked for (by code or category); None when not filtered by status."""
        if not (self.statuses or self.categories):
            return None
        codes = set(self.statuses)
        for category in self.categories:
            codes.update(codes_in_category(Category(category)))
        return sorted(codes)

    def only_by_structure_and_status(self) -> bool:
        """True when the counts per structure and status can answer (no other filter)."""
        others = (
            self.recipient_ids,
            self.invoice_date_from,
            self.invoice_date_to,
            self.changed_from,
            self.changed_to,
            self.amount_min,
            self.amount_max,
            self.q,
            self.payment,
            self.due_within,
        )
        return not any(v is not None and v != () and v != [] for v in others)

    def conditions(self) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = []
        codes = self.status_codes()
        if codes is not None:
            conds.append(Invoice.status_code.in_(codes))
        if self.structure_ids:
            conds.append(Invoice.structure_id.in_(self.structure_ids))
        if self.recipient_ids:
            conds.append(Invoice.recipient_id.in_(self.recipient_ids))
        if self.invoice_date_from:
            conds.append(Invoice.invoice_date >= self.invoice_date_from)
        if self.invoice_date_to:
            conds.append(Invoice.invoice_date <= self.invoice_date_to)
        if self.changed_from:
            conds.append(Invoice.status_changed_at >= _day_start(self.changed_from))
        if self.changed_to:
            conds.append(
                Invoice.status_changed_at < _day_start(self.changed_to + dt.timedelta(days=1))
            )
        if self.amount_min is not None:
            conds.append(Invoice.amount_incl_tax >= self.amount_min)
        if self.amount_max is not None:
            conds.append(Invoice.amount_incl_tax <= self.amount_max)
        if self.q:
            pattern = (
                "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            conds.append(
                or_(
                    Invoice.number.ilike(pattern, escape="\\"),
                    Invoice.recipient_id.in_(
                        select(Recipient.id).where(Recipient.name.ilike(pattern, escape="\\"))
                    ),
                )
            )
        conds += payment_conditions(self.payment, self.due_within)
        return conds


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS).astimezone(dt.UTC)


def _bookmark_datetime(text: str) -> dt.datetime:
    """A datetime of a cursor: sqlakeyset writes it with `str()`, which `fromisoformat` reads
    back in 0.3 µs where sqlakeyset's own reader, dateutil's parser, takes 73 µs (every deeper
    page decodes one). Anything else still goes to dateutil."""
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return dateutil_parser.parse(text)


# sqlakeyset offers no way to replace a type's reader, but its serializer's table is public.
bookmark_serial.deserializers["dt"] = _bookmark_datetime


def encode_cursor(bookmark: str, sort: str = "changed_at") -> str:
    prefix = DUE_CURSOR_PREFIX if sort == "due_on" else ""
    return prefix + base64.urlsafe_b64encode(bookmark.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str = "changed_at") -> Any:
    if cursor.startswith(DUE_CURSOR_PREFIX) != (sort == "due_on"):
        raise InvalidCursor
    cursor = cursor.removeprefix(DUE_CURSOR_PREFIX)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        bookmark = base64.urlsafe_b64decode(padded.encode()).decode()
        marker = unserialize_bookmark(bookmark)
    except (binascii.Error, UnicodeDecodeError, BadBookmark, ValueError) as exc:
        raise InvalidCursor from exc
    if marker.place is None or len(marker.place) != 2 or not place_fits(sort, marker.place):
        raise InvalidCursor
    return marker


@dataclass
class InvoicePage:
    items: list[Any]  # rows of ITEM_COLUMNS
    total: int
    next_cursor: str | None
    prev_cursor: str | None


# What a list item shows, as plain columns: building ORM objects for a page cost more than
# the query. `present.invoice_row_json` turns a row into the item.
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


def item_select(*columns: Any) -> Select[Any]:
    """Invoices with their recipient and service, for list items (`.where` filters them)."""
    return (
        select(*(columns or ITEM_COLUMNS))
        .select_from(Invoice)
        .join(Recipient, Recipient.id == Invoice.recipient_id)
        .outerjoin(RecipientService, RecipientService.id == Invoice.service_id)
    )


_COUNTED = select(func.coalesce(func.sum(InvoiceCount.count), 0)).where(
    InvoiceCount.structure_id.in_(_ids("structure_ids")),
    InvoiceCount.service_key == counts.ALL_SERVICES,
)
_COUNTED_CODES = _COUNTED.where(InvoiceCount.status_code.in_(_ids("codes")))
_COUNT = {False: DirectSelect(_COUNTED), True: DirectSelect(_COUNTED_CODES)}


def _page_statement(codes: bool, place: bool, backwards: bool) -> Select[Any]:
    """The most common page (whole structures, newest change first), built once.

    The keyset condition is a row comparison, which PostgreSQL matches to the index
    (structure_id, status_changed_at, id); pages backwards run in reverse order. Each row
    also carries the list's total, from the counts, in the same round trip."""
    total = (_COUNTED_CODES if codes else _COUNTED).scalar_subquery().label("total")
    query = item_select(*ITEM_COLUMNS, total)
    query = query.where(Invoice.structure_id.in_(_ids("structure_ids")))
    if codes:
        query = query.where(Invoice.status_code.in_(_ids("codes")))
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
    session: Session, ids: list[int], codes: list[str] | None, limit: int, marker: Marker | None
) -> tuple[Paging[Any], int | None]:
    """A page of the common list with the statements above, and the list's total (None for
    an empty page after a cursor). sqlakeyset's own Paging makes the cursors, so both ways of paging
    hand out the same ones."""
    place = marker.place if marker else None
    backwards = bool(marker and marker.backwards)
    statement = _PAGES[(codes is not None, place is not None, backwards)]
    params: dict[str, Any] = {"structure_ids": ids, "limit": limit + 1}
    if codes is not None:
        params["codes"] = codes
    if place is not None:
        params["at"], params["id"] = place
    rows = statement.rows(session, params) if ids else []
    places = [(row.status_changed_at, row.id) for row in rows]
    if rows:
        total: int | None = int(rows[0].total)
    else:  # an empty first page means an empty list; past the end, count apart
        total = 0 if place is None else None
    return Paging(rows, limit, backwards, place, places=places), total


_ITEM: Bundle[Any] = Bundle("item", *ITEM_COLUMNS)


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


def list_invoices(
    session: Session,
    scope: Scope,
    filters: InvoiceFilters,
    limit: int,
    cursor: str | None,
    sort: str = "changed_at",
) -> InvoicePage:
    """Most recent status change first (or nearest due date); keyset pages stay fast."""
    marker = decode_cursor(cursor, sort) if cursor else None
    common = sort == "changed_at" and filters.only_by_structure_and_status()
    ids = unrestricted_ids(scope, filters.structure_ids) if common else None
    total: int | None = None
    if ids is not None:
        paging, total = _common_page(session, ids, filters.status_codes(), limit, marker)
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
        next_cursor=encode_cursor(paging.bookmark_next, sort) if paging.has_next else None,
        prev_cursor=encode_cursor(paging.bookmark_previous, sort) if paging.has_previous else None,
    )


class _Part:
    """One mapped class's columns in the detail's statement, read back as a named tuple
    whose fields are the mapped attributes (what the detail's code reads)."""

    def __init__(self, model: Any, relations: tuple[str, ...] = ()) -> None:
        mapper = sa_inspect(model)
        attributes = mapper.column_attrs
        self.keys = tuple(a.key for a in attributes)
        self.columns = tuple(a.columns[0] for a in attributes)
        self.View: Any = namedtuple(f"{model.__name__}Row", (*self.keys, *relations))  # type: ignore[misc]
        # An outer join found nothing when the primary key is NULL.
        self.key_index = self.columns.index(mapper.primary_key[0])

    def view(self, values: tuple[Any, ...]) -> Any:
        """The named tuple, or None for a row an outer join did not find."""
        return None if values[self.key_index] is None else self.View(*values)


_INVOICE_PART = _Part(Invoice, ("recipient", "service", "structure", "recipient_habits", "history"))
_DETAIL_PARTS = (
    _INVOICE_PART,
    _Part(Recipient),
    _Part(RecipientService),
    _Part(Structure),
    _Part(RecipientHabits),
    _Part(StatusChange),
)


def _slices() -> list[slice]:
    start, found = 0, []
    for part in _DETAIL_PARTS:
        found.append(slice(start, start + len(part.columns)))
        start += len(part.columns)
    return found


_DETAIL_SLICES = _slices()

# The invoice, its recipient, service, structure, the recipient's payment habits and the
# whole history in one round trip (a row per status change), read as rows: loading ORM
# objects cost four times the statement.
_INVOICE = ScopedStatement(
    lambda scoped: (
        select(*(column for part in _DETAIL_PARTS for column in part.columns))
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


def get_invoice(session: Session, scope: Scope, invoice_id: int) -> Any | None:
    """The invoice as a named tuple of its columns, with `recipient`, `service`,
    `structure`, `recipient_habits` and `history` (named tuples too): what the detail and
    the claim letter read of an `Invoice`. None when the user may not see it."""
    rows = _INVOICE.rows(session, scope, invoice_id=invoice_id)
    if not rows:
        return None
    invoice, recipient, service, structure, habits, change = _DETAIL_PARTS
    cut = [tuple(rows[0][s]) for s in _DETAIL_SLICES]
    changes = _DETAIL_SLICES[-1]
    history = [change.view(tuple(row[changes])) for row in rows]
    return invoice.View(
        *cut[0],
        recipient=recipient.view(cut[1]),
        service=service.view(cut[2]),
        structure=structure.view(cut[3]),
        recipient_habits=habits.view(cut[4]),
        history=[step for step in history if step is not None],
    )


def counts_by_status(
    session: Session, scope: Scope, conditions: Sequence[ColumnElement[bool]] = ()
) -> list[tuple[int, str, int, Decimal]]:
    """(structure id, status, count, sum of amounts incl. tax) rows."""
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


def _count_conditions(
    scope: Scope, codes: Sequence[str] | None, structure_ids: Sequence[int] = ()
) -> list[ColumnElement[bool]]:
    all_services = InvoiceCount.service_key == counts.ALL_SERVICES
    conds = [_granted(scope, InvoiceCount.structure_id, InvoiceCount.service_key, all_services)]
    if codes is not None:
        conds.append(InvoiceCount.status_code.in_(codes))
    if structure_ids:
        conds.append(InvoiceCount.structure_id.in_(structure_ids))
    return conds


def counted(
    session: Session, scope: Scope, codes: Sequence[str] | None, structure_ids: Sequence[int] = ()
) -> int:
    """How many visible invoices have one of these statuses (all when None), from the counts."""
    ids = unrestricted_ids(scope, structure_ids)
    if ids is not None:
        if not ids:
            return 0
        params: dict[str, Any] = {"structure_ids": ids}
        if codes is not None:
            params["codes"] = list(codes)
        return int(_COUNT[codes is not None].rows(session, params)[0][0] or 0)
    total = session.scalar(
        select(func.coalesce(func.sum(InvoiceCount.count), 0)).where(
            *_count_conditions(scope, codes, structure_ids)
        )
    )
    return int(total or 0)


_STATUS_COUNT_COLUMNS = select(
    InvoiceCount.structure_id,
    InvoiceCount.status_code,
    InvoiceCount.count,
    InvoiceCount.amount_incl_tax,
).where(
    InvoiceCount.structure_id.in_(_ids("structure_ids")),
    InvoiceCount.service_key == counts.ALL_SERVICES,
    InvoiceCount.count > 0,
)
# The counts of whole structures (parameter `structure_ids`), of some statuses (`codes`).
STATUS_COUNT_ROWS = {
    False: _STATUS_COUNT_COLUMNS,
    True: _STATUS_COUNT_COLUMNS.where(InvoiceCount.status_code.in_(_ids("codes"))),
}
_STATUS_COUNTS = {codes: DirectSelect(rows) for codes, rows in STATUS_COUNT_ROWS.items()}


def status_counts(
    session: Session, scope: Scope, codes: Sequence[str] | None = None
) -> list[tuple[int, str, int, Decimal]]:
    """(structure id, status, count, sum of amounts incl. tax) rows, from the counts."""
    ids = unrestricted_ids(scope)
    if ids is not None:
        if not ids:
            return []
        params: dict[str, Any] = {"structure_ids": ids}
        if codes is not None:
            params["codes"] = list(codes)
        found = _STATUS_COUNTS[codes is not None].rows(session, params)
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


def todo_invoices(session: Session, scope: Scope, codes: Sequence[str], limit: int) -> list[Any]:
    """Invoices waiting for the supplier, oldest change first (most urgent).

    Rows (id, number, recipient_name, status_code, status_comment, status_changed_at): the
    Synthèse lists up to 50, and ORM objects would cost more than the query."""
    return _TODO.rows(session, scope, codes=list(codes), limit=limit)


_TODO = ScopedStatement(
    lambda scoped: (
        select(
            Invoice.id,
            Invoice.number,
            Recipient.name.label("recipient_name"),
            Invoice.status_code,
            Invoice.status_comment,
            Invoice.status_changed_at,
        )
        .join(Recipient, Recipient.id == Invoice.recipient_id)
        .where(scoped, Invoice.status_code.in_(_ids("codes")))
        .order_by(Invoice.status_changed_at, Invoice.id)
        .limit(bindparam("limit"))
    )
)


def structure_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Structure.id, Structure.name).where(Structure.id.in_(ids)))
    return {row[0]: row[1] for row in rows}
