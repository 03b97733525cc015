"""Invoice writes: an invoice upserted and its status changes appended, replays changing
nothing. `backend.ingest.record` is their one caller: it owns a status change end to end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient, RecipientService
from backend.db import dialect_insert, utcnow
from backend.invoices import counts
from backend.invoices.models import Invoice, StatusChange
from backend.invoices.statuses import normalize_code


@dataclass(frozen=True)
class ChangeIn:
    """A status change as observed by a source."""

    code: str
    occurred_at: dt.datetime
    comment: str | None = None


@dataclass
class InvoiceRecord:
    """An invoice's data as a source knows it; None means "not told"."""

    portal_id: int
    number: str
    recipient_siret: str
    recipient_name: str | None = None
    service_code: str | None = None
    service_name: str | None = None
    type: str | None = None
    billing_framework: str | None = None
    engagement_number: str | None = None
    invoice_date: dt.date | None = None
    deposit_date: dt.date | None = None
    amount_excl_tax: Decimal | None = None
    amount_incl_tax: Decimal | None = None
    amount_to_pay: Decimal | None = None
    deposit_mode: str | None = None
    # When these facts were true; None: as of its newest change, or now without changes.
    observed_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ForeignInvoice(ValueError):
    """The portal id is already known under another structure."""


def get_or_create_recipient(session: Session, siret: str, name: str | None) -> Recipient:
    recipient = session.scalar(select(Recipient).where(Recipient.siret == siret))
    if recipient is None:
        recipient = Recipient(siret=siret, name=name or siret)
        session.add(recipient)
        session.flush()
    elif name and recipient.name != name:
        recipient.name = name
    return recipient


def get_or_create_service(
    session: Session, recipient: Recipient, code: str, name: str | None
) -> RecipientService:
    service = session.scalar(
        select(RecipientService).where(
            RecipientService.recipient_id == recipient.id, RecipientService.code == code
        )
    )
    if service is None:
        service = RecipientService(recipient_id=recipient.id, code=code, name=name or code)
        session.add(service)
        session.flush()
    return service


_COPIED = (
    "number",
    "type",
    "billing_framework",
    "engagement_number",
    "invoice_date",
    "deposit_date",
    "amount_excl_tax",
    "amount_incl_tax",
    "amount_to_pay",
    "deposit_mode",
)


@dataclass
class Written:
    """What writing an invoice and its changes did, for what depends on a status to follow."""

    invoice: Invoice
    created: bool
    new_changes: list[StatusChange]
    duplicates: int
    touched: bool  # anything of the invoice changed: its terms, counts and version follow
    previous_changed_at: dt.datetime | None
    counted_as: counts.CountKey | None


def write(
    session: Session,
    structure_id: int,
    data: InvoiceRecord,
    changes: list[ChangeIn],
    *,
    source: str,
) -> Written:
    """Upsert an invoice and append its status changes; replays change nothing.

    Only `backend.ingest.record` calls this: what follows a status (terms, pushes, counts,
    the structure's version) is done there. An observation older than the one the invoice's
    fields come from only fills the fields still unknown.
    """
    invoice = session.scalar(
        select(Invoice).where(Invoice.portal_id == data.portal_id).with_for_update()
    )
    if invoice is not None and invoice.structure_id != structure_id:
        raise ForeignInvoice(data.portal_id)
    recipient = get_or_create_recipient(session, data.recipient_siret, data.recipient_name)
    service_id = None
    if data.service_code:
        service_id = get_or_create_service(
            session, recipient, data.service_code, data.service_name
        ).id
    created = invoice is None
    previous_changed_at = None if invoice is None else invoice.status_changed_at
    counted_as = None if invoice is None else counts.key_of(invoice)
    observed_at = _observed_at(data, changes)
    newer = invoice is None or invoice.facts_at is None or observed_at > invoice.facts_at
    touched = created
    if invoice is None:
        first = min(changes, key=lambda c: c.occurred_at) if changes else None
        invoice = Invoice(
            portal_id=data.portal_id,
            structure_id=structure_id,
            recipient_id=recipient.id,
            status_code=normalize_code(first.code) if first else "DEPOSEE",
            status_changed_at=first.occurred_at if first else utcnow(),
        )
        session.add(invoice)
    elif newer and invoice.recipient_id != recipient.id:
        invoice.recipient_id, touched = recipient.id, True
    known_service = invoice.service_id
    if service_id is not None and known_service != service_id and (newer or not known_service):
        invoice.service_id, touched = service_id, True
    for name in _COPIED:
        value, known = getattr(data, name), getattr(invoice, name)
        if value is not None and known != value and (newer or known is None):
            setattr(invoice, name, value)
            touched = True
    if newer:
        invoice.facts_at = observed_at
    session.flush()
    new_changes = _append_changes(session, invoice, changes, source)
    if new_changes:
        _refresh_current_status(session, invoice)
        touched = True
    return Written(
        invoice, created, new_changes, len(changes) - len(new_changes), touched,
        previous_changed_at, counted_as,
    )  # fmt: skip


def _observed_at(data: InvoiceRecord, changes: list[ChangeIn]) -> dt.datetime:
    if data.observed_at is not None:
        return data.observed_at
    return max((change.occurred_at for change in changes), default=None) or utcnow()


def _append_changes(
    session: Session, invoice: Invoice, changes: list[ChangeIn], source: str
) -> list[StatusChange]:
    if not changes:
        return []
    rows = {
        (normalize_code(c.code), c.occurred_at): {
            "invoice_id": invoice.id,
            "code": normalize_code(c.code),
            "occurred_at": c.occurred_at.astimezone(dt.UTC),
            "comment": c.comment,
            "source": source,
            "recorded_at": utcnow(),
        }
        for c in changes
    }
    insert = dialect_insert(session.get_bind().dialect.name)
    stmt = (
        insert(StatusChange)
        .values(list(rows.values()))
        .on_conflict_do_nothing(index_elements=["invoice_id", "code", "occurred_at"])
        .returning(StatusChange.id)
    )
    ids = [row[0] for row in session.execute(stmt)]
    if not ids:
        return []
    return list(
        session.scalars(
            select(StatusChange).where(StatusChange.id.in_(ids)).order_by(StatusChange.occurred_at)
        )
    )


def _refresh_current_status(session: Session, invoice: Invoice) -> None:
    """The current status is the newest observed change, whatever order they came in."""
    newest = session.scalars(
        select(StatusChange)
        .where(StatusChange.invoice_id == invoice.id)
        .order_by(StatusChange.occurred_at.desc(), StatusChange.id.desc())
        .limit(1)
    ).one()
    invoice.status_code = newest.code
    invoice.status_comment = newest.comment
    invoice.status_changed_at = newest.occurred_at
