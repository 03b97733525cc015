"""The one way a status change enters Relais, end to end.

Whichever way it arrives (the integration endpoint, the portal sync), an invoice and its
status changes go through `record`: the invoice and its history are written, then what
depends on them follows in the same transaction — the payment terms, the inbox entries and
pushes, the counts and the structure's data version (so ETags and cached answers move with
it). Callers retry a concurrent first insert with `record_isolated`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts.structures import bump_version
from backend.db import utcnow
from backend.invoices import counts
from backend.invoices import service as invoices
from backend.invoices.models import Invoice, StatusChange
from backend.invoices.service import ChangeIn, InvoiceRecord
from backend.payments.service import refresh_terms
from backend.push.service import notify_status_changes

# Clocks disagree a little (the portal's, an ERP's, ours); beyond this a change is refused.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Older changes (a first sync, a backfill) go to the history, not to phones (PUSH_MAX_AGE_HOURS).
PUSH_MAX_AGE = dt.timedelta(hours=24)


class FutureChange(ValueError):
    """A status change dated after now: it would stay the current status until that day,
    hiding every real change (a MANDATEE of 2099 hid a rejection that needed action)."""

    def __init__(self, change: ChangeIn) -> None:
        super().__init__(change.occurred_at.isoformat())
        self.change = change


@dataclass
class RecordResult:
    invoice: Invoice
    created: bool
    new_changes: list[StatusChange]
    duplicates: int


def record(
    session: Session,
    structure_id: int,
    data: InvoiceRecord,
    changes: list[ChangeIn],
    *,
    source: str,
    push_max_age: dt.timedelta = PUSH_MAX_AGE,
) -> RecordResult:
    """Write an invoice and its changes, then everything a status change drives.

    A change dated beyond the clock skew is refused (FutureChange) before anything is
    written; replays change nothing; the current status is the newest observed change.
    """
    latest = utcnow() + CLOCK_SKEW
    for change in changes:
        if change.occurred_at > latest:
            raise FutureChange(change)
    written = invoices.write(session, structure_id, data, changes, source=source)
    invoice = written.invoice
    if written.new_changes:
        notify_status_changes(
            session, invoice, written.new_changes, written.previous_changed_at,
            max_age=push_max_age,
        )  # fmt: skip
    if written.touched:
        refresh_terms(session, invoice)
        invoice.updated_at = utcnow()
        counts.move(session, written.counted_as, counts.key_of(invoice))
        bump_version(session, structure_id)
    return RecordResult(invoice, written.created, written.new_changes, written.duplicates)


def record_isolated(
    session: Session,
    structure_id: int,
    data: InvoiceRecord,
    changes: list[ChangeIn],
    *,
    source: str,
    push_max_age: dt.timedelta = PUSH_MAX_AGE,
    savepoint: bool = True,
) -> RecordResult:
    """`record`, retried once when a concurrent writer created the same invoice first.

    In a savepoint, whose rollback undoes this invoice alone; with `savepoint=False` the
    caller commits each invoice on its own (the sync), and rolling back its transaction
    undoes the same, without the savepoint's two round trips.
    """
    once = partial(
        record, session, structure_id, data, changes, source=source, push_max_age=push_max_age
    )
    for attempt in (1, 2):
        try:
            if not savepoint:
                return once()
            with session.begin_nested():
                return once()
        except IntegrityError:
            if not savepoint:
                session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
