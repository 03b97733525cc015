"""The walk of one sync run: each page of the portal's search, each invoice recorded on its own."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import ingest
from backend.accounts.models import Recipient
from backend.db import utcnow
from backend.invoices.models import Invoice
from backend.invoices.service import ChangeIn, ForeignInvoice, InvoiceRecord
from backend.invoices.statuses import normalize_code
from backend.portal import (
    InvoiceSummary,
    PortalClient,
    PortalError,
    TechnicalAccount,
)
from backend.portal.consult import InvoiceRecipient
from backend.portal.wire import UnreadableInvoice, UnreadableValue
from backend.sync.progress import Progress

log = logging.getLogger(__name__)

Found = InvoiceSummary | UnreadableInvoice  # what a search walk yields

SOURCE = "sync"

PAGE_SIZE = 100  # invoices per search page; what Relais knows is read a page at a time


def walk(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    progress: Progress,
    window_from: dt.datetime | None,
    window_to: dt.datetime,
) -> None:
    """Each page: what Relais already knows in one query, then each invoice in its own
    transaction, committed before the next portal call (a crash loses no recorded change,
    and SQLite's single writer is never held while the portal answers)."""
    summaries = portal.iter_supplier_invoices(
        changed_from=window_from, changed_to=window_to, account=account, per_page=PAGE_SIZE,
        cursor=progress.cursor, max_pages=progress.pages_per_turn,
    )  # fmt: skip
    for results in _pages(summaries, PAGE_SIZE):
        page = [summary for summary in results if isinstance(summary, InvoiceSummary)]
        for unreadable in (item for item in results if isinstance(item, UnreadableInvoice)):
            progress.invoices_seen += 1
            progress.skip(unreadable.portal_id, unreadable.status_changed_at, unreadable.reason)
        known = _known(session, page)
        session.commit()
        for summary in page:
            progress.invoices_seen += 1
            directory = None
            try:
                added, directory = _apply(
                    session, portal, account, progress, summary, known.get(summary.portal_id)
                )
                progress.changes += added
            except ForeignInvoice:
                # Reading it again would not help: the watermark may pass it.
                session.rollback()
                progress.errors += 1
                log.warning("portal invoice %s belongs to another structure", summary.portal_id)
            except ingest.FutureChange as exc:
                session.rollback()  # read again next run: by then its date may have come
                when = exc.change.occurred_at.isoformat()
                progress.skip(summary.portal_id, summary.status_changed_at, f"dated {when}")
            except UnreadableValue as exc:
                session.rollback()
                progress.skip(summary.portal_id, summary.status_changed_at, str(exc))
            progress.checkpoint(session)
            if directory is not None:
                _check_directory(session, portal, account, *directory)


def _pages(summaries: Iterable[Found], size: int) -> Iterator[list[Found]]:
    iterator = iter(summaries)
    while page := list(itertools.islice(iterator, size)):
        yield page


def _known(
    session: Session, page: list[InvoiceSummary]
) -> dict[int, tuple[str, dt.datetime | None]]:
    """Current status and its time of the page's invoices Relais already has."""
    rows = session.execute(
        select(Invoice.portal_id, Invoice.status_code, Invoice.status_changed_at).where(
            Invoice.portal_id.in_([summary.portal_id for summary in page])
        )
    )
    return {portal_id: (code, changed_at) for portal_id, code, changed_at in rows}


def _apply(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    progress: Progress,
    summary: InvoiceSummary,
    known: tuple[str, dt.datetime | None] | None,
) -> tuple[int, tuple[int, int, int] | None]:
    """Record one invoice: how many changes were new, and the directory entry to check.

    The history call is skipped when nothing new can be in it.
    """
    data = InvoiceRecord(**summary.record_fields(), observed_at=summary.status_changed_at)
    if known is not None and _unchanged(known, summary):
        _record(session, progress, data, [])
        return 0, None
    history = portal.invoice_history(summary.portal_id, account=account)
    changes = [ChangeIn(e.code, e.occurred_at, e.comment) for e in history.events]
    result = _record(session, progress, data, changes)
    directory = None
    recipient_id = result.invoice.recipient_id
    if summary.recipient_portal_id and recipient_id not in progress.directories:
        progress.directories.add(recipient_id)
        recipient = session.get(Recipient, recipient_id)
        if recipient is not None and not (
            recipient.directory_checked_at
            and recipient.directory_checked_at > utcnow() - DIRECTORY_MAX_AGE
        ):
            directory = (recipient_id, summary.recipient_portal_id, summary.portal_id)
    return len(result.new_changes), directory


def _unchanged(known: tuple[str, dt.datetime | None], summary: InvoiceSummary) -> bool:
    """Relais already has this status at this time: its history holds nothing new.

    Compared to the minute: search results give seconds and milliseconds, history entries
    (where Relais' time comes from) have been recorded to the minute."""
    code, changed_at = known
    if code != normalize_code(summary.status):
        return False
    if changed_at is None or summary.status_changed_at is None:
        return changed_at is summary.status_changed_at
    return changed_at.replace(second=0, microsecond=0) == summary.status_changed_at.replace(
        second=0, microsecond=0
    )


def _record(
    session: Session, progress: Progress, data: InvoiceRecord, changes: list[ChangeIn]
) -> ingest.RecordResult:
    """`record` in the invoice's own transaction (each invoice is committed on its own)."""
    return ingest.record_isolated(
        session, progress.structure_id, data, changes, source=SOURCE,
        push_max_age=progress.push_max_age, savepoint=False,
    )  # fmt: skip


DIRECTORY_MAX_AGE = dt.timedelta(days=30)
# Named alike on the portal's answer (portal.consult.InvoiceRecipient) and on Recipient.
ADDRESS_FIELDS = ("address_line1", "address_line2", "postal_code", "city", "country")


def _check_directory(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    recipient_id: int,
    portal_structure_id: int,
    invoice_portal_id: int,
) -> None:
    """Refresh a recipient's directory flags and, from the invoice that brought it, its postal
    address (once a month); called with no transaction open."""
    info = portal.consult_structure(portal_structure_id, account=account)
    addressee = _addressee(portal, account, invoice_portal_id)
    recipient = session.get(Recipient, recipient_id)
    if recipient is None:
        return
    if addressee is not None and addressee.has_address:
        for name in ADDRESS_FIELDS:
            setattr(recipient, name, getattr(addressee, name))
    recipient.portal_structure_id = portal_structure_id
    recipient.service_code_required = info.service_code_required
    recipient.engagement_required = info.engagement_required
    recipient.engagement_or_service_required = info.engagement_or_service
    recipient.payment_status_not_reported = info.payment_status_not_reported
    recipient.directory_checked_at = utcnow()
    session.commit()


def _addressee(
    portal: PortalClient, account: TechnicalAccount, invoice_portal_id: int
) -> InvoiceRecipient | None:
    """The recipient block of one invoice; None when the portal does not show it (the address
    then stays as it was, and the letter goes without it: no reason to fail the run)."""
    try:
        return portal.consult_invoice(invoice_portal_id, account=account)
    except PortalError as exc:
        log.warning("invoice %s: no recipient address from the portal (%s)", invoice_portal_id, exc)
        return None
