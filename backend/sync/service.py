"""Sync one structure's invoices from the portal: incremental, resumable, overlap-safe."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import inspect, or_, select, update
from sqlalchemy.orm import Session

from backend import ingest
from backend.accounts.models import Recipient, Structure
from backend.config import Config
from backend.db import utcnow
from backend.invoices.models import Invoice
from backend.invoices.service import ChangeIn, ForeignInvoice, InvoiceRecord
from backend.invoices.statuses import normalize_code
from backend.portal import (
    InvoiceSummary,
    PortalClient,
    PortalEnvironment,
    PortalError,
    TechnicalAccount,
    window_end,
)
from backend.portal.consult import InvoiceRecipient
from backend.portal.endpoints import ENVIRONMENTS
from backend.portal.retry import RetryPolicy
from backend.portal.wire import UnreadableInvoice, UnreadableValue
from backend.sync import crypto
from backend.sync.models import PortalAccount, SyncRun, SyncState

log = logging.getLogger(__name__)
Found = InvoiceSummary | UnreadableInvoice  # what a search walk yields
SOURCE = "sync"
LEASE = dt.timedelta(minutes=2)
LEASE_RENEWAL = LEASE / 4  # how often a run extends its lease and writes its counters
PAGE_SIZE = 100  # invoices per search page; what Relais knows is read a page at a time
RETRY_BACKOFF = (30, 120, 600, 1800)
CLOSE_RETRIES = (0.5, 1.0, 2.0)  # waits while a database that dropped us comes back


class NoPortalAccount(Exception):
    """The structure has no technical account registered."""


class Interrupted(Exception):
    """The process is stopping: the run ends here, the next one starts from its watermark."""


def environment(config: Config) -> PortalEnvironment:
    if config.portal_env == "local":
        return PortalEnvironment.local(config.portal_base_url)
    return ENVIRONMENTS[config.portal_env]


def open_client(
    config: Config, account: TechnicalAccount, stop: threading.Event | None = None
) -> PortalClient:
    """The portal client; with `stop`, a wait between retries ends the run when it is set."""
    return PortalClient(
        environment(config),
        config.portal_client_id,
        config.portal_client_secret,
        account=account,
        timeout=config.portal_timeout,
        retry=RetryPolicy(sleep=_interruptible(stop)) if stop is not None else None,
    )


def _interruptible(stop: threading.Event) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise Interrupted

    return sleep


def register_account(
    session: Session,
    structure: Structure,
    login: str,
    password: str,
    expires_on: dt.date | None,
    *,
    config: Config,
    interval_seconds: int | None = None,
) -> PortalAccount:
    """Store (or replace) a structure's technical account and schedule its first sync."""
    account = session.get(PortalAccount, structure.id) or PortalAccount(structure_id=structure.id)
    account.login = login
    account.password_encrypted = crypto.encrypt(config.credentials_key, password)
    account.password_expires_on = expires_on
    account.expiry_warned_on = None
    account.updated_at = utcnow()
    session.add(account)
    state = session.get(SyncState, structure.id) or SyncState(structure_id=structure.id)
    state.interval_seconds = interval_seconds or config.sync_interval_seconds
    state.next_sync_at = utcnow()
    session.add(state)
    session.flush()
    return account


def technical_account(session: Session, structure_id: int, config: Config) -> TechnicalAccount:
    account = session.get(PortalAccount, structure_id)
    if account is None:
        raise NoPortalAccount(structure_id)
    return TechnicalAccount(
        account.login, crypto.decrypt(config.credentials_key, account.password_encrypted)
    )


def due_structures(session: Session, now: dt.datetime, limit: int) -> list[int]:
    """Structures whose next sync time has come and that no one is syncing."""
    return list(
        session.scalars(
            select(SyncState.structure_id)
            .where(
                SyncState.next_sync_at <= now,
                or_(SyncState.running_until.is_(None), SyncState.running_until < now),
            )
            .order_by(SyncState.next_sync_at)
            .limit(limit)
        )
    )


def claim(session: Session, structure_id: int, holder: str, now: dt.datetime) -> bool:
    """Take the structure's sync lease; False when another run holds it."""
    taken = session.execute(
        update(SyncState)
        .where(
            SyncState.structure_id == structure_id,
            or_(SyncState.running_until.is_(None), SyncState.running_until < now),
        )
        .values(running_until=now + LEASE, running_holder=holder)
        .returning(SyncState.structure_id)
    ).all()
    session.commit()
    return bool(taken)


@dataclass
class Progress:
    """A run's counters, kept here and written with the lease, not at every invoice."""

    run: SyncRun
    state: SyncState
    structure_id: int
    invoices_seen: int = 0
    changes: int = 0
    errors: int = 0
    renewed_at: float = field(default_factory=time.monotonic)
    # Recipients whose directory entry this run has looked at (or decided not to).
    directories: set[int] = field(default_factory=set)
    stop: threading.Event | None = None  # set when the process stops: the run ends early
    push_max_age: dt.timedelta = ingest.PUSH_MAX_AGE
    started: float = field(default_factory=time.monotonic)
    # Times of the invoices this run could not store (None: time unknown).
    held: list[dt.datetime | None] = field(default_factory=list)

    def skip(self, portal_id: int | None, at: dt.datetime | None, reason: str) -> None:
        """An invoice not stored: counted, logged, and the next run reads again from it."""
        self.errors += 1
        self.held.append(at)
        log.warning("portal invoice %s of structure %s skipped: %s",
                    portal_id, self.structure_id, reason)  # fmt: skip

    def watermark(
        self, window_from: dt.datetime | None, window_to: dt.datetime
    ) -> dt.datetime | None:
        """Where the next run starts: past every stored invoice, never past a skipped one.

        The portal's filter is read to the minute, so the next window starts at the minute
        of the earliest skipped invoice; one of unknown time keeps the whole window."""
        if not self.held:
            return window_to
        if any(at is None for at in self.held):
            return window_from
        earliest = min(at for at in self.held if at is not None)
        resume = min(earliest.replace(second=0, microsecond=0), window_to)
        return resume if window_from is None else max(window_from, resume)

    def save_counters(self) -> None:
        self.run.invoices_seen = self.invoices_seen
        self.run.changes = self.changes
        self.run.errors = self.errors

    def checkpoint(self, session: Session) -> None:
        """Commit the invoice just recorded; now and then, extend the lease and show progress.

        Assigning to the expired run and state loads nothing: only the UPDATE is sent.
        """
        if time.monotonic() - self.renewed_at >= LEASE_RENEWAL.total_seconds():
            self.state.running_until = utcnow() + LEASE
            self.save_counters()
            self.renewed_at = time.monotonic()
        session.commit()
        if self.stop is not None and self.stop.is_set():
            raise Interrupted


def sync_structure(
    session: Session,
    structure_id: int,
    *,
    config: Config,
    holder: str = "cli",
    client: PortalClient | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
) -> SyncRun | None:
    """Run one sync; None when another run holds the lease (unless forced).

    The run always ends: whatever interrupts it (the portal, `stop`, the database going away,
    a bug), its row is closed as failed with the reason and the structure's lease released.
    """
    now = now or utcnow()
    if not force and not claim(session, structure_id, holder, now):
        return None
    progress: Progress | None = None
    try:
        if not force:
            _close_abandoned_runs(session, structure_id, now)
        state = session.get(SyncState, structure_id)
        if state is None:
            raise NoPortalAccount(structure_id)
        # Read now: after the commits below, reading the state again would cost a query.
        window_from, window_to, interval = state.watermark, window_end(now), state.interval_seconds
        run = SyncRun(
            structure_id=structure_id,
            started_at=now,
            window_from=window_from,
            window_to=window_to,
            invoices_seen=0,
            changes=0,
            errors=0,
        )
        session.add(run)
        session.commit()
        push_max_age = dt.timedelta(hours=config.push_max_age_hours)
        progress = Progress(run, state, structure_id, stop=stop, push_max_age=push_max_age)
        try:
            _fetch(session, config, client, progress, window_from, window_to)
        except (PortalError, NoPortalAccount, crypto.CredentialsKeyError, Interrupted) as exc:
            session.rollback()
            progress.save_counters()
            _failed(state, run, _describe(exc), now)
        else:
            progress.save_counters()
            run.status = "ok" if not progress.errors else "partial"
            state.watermark = progress.watermark(window_from, window_to)
            state.last_success_at = utcnow()
            state.consecutive_failures = 0
            state.next_sync_at = now + _interval(interval, config.sync_jitter_seconds)
        _close(session, state, run, progress.started)
    except BaseException as exc:
        _close_broken_run(session, structure_id, progress, exc, now)
        raise
    return run


ABANDONED = "Synchronisation interrompue (processus arrêté) : reprise à la suivante."


def _close_abandoned_runs(session: Session, structure_id: int, now: dt.datetime) -> None:
    """Runs still open when the lease was free had lost their process (a SIGKILL, a machine
    stopped): they end as failed, so every run row reaches a final state."""
    session.execute(
        update(SyncRun)
        .where(SyncRun.structure_id == structure_id, SyncRun.finished_at.is_(None))
        .values(status="failed", finished_at=now, error=ABANDONED)
    )


def _fetch(
    session: Session,
    config: Config,
    client: PortalClient | None,
    progress: Progress,
    window_from: dt.datetime | None,
    window_to: dt.datetime,
) -> None:
    account = technical_account(session, progress.structure_id, config)
    session.commit()  # no transaction stays open while the portal is called
    owned = client is None
    portal = client or open_client(config, account, progress.stop)
    try:
        _walk(session, portal, account, progress, window_from, window_to)
    finally:
        if owned:
            portal.close()


def _close(session: Session, state: SyncState, run: SyncRun, started: float) -> None:
    """End the run and give the structure's lease back."""
    run.finished_at = utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    state.running_until = None
    state.running_holder = None
    session.commit()


def _close_broken_run(
    session: Session,
    structure_id: int,
    progress: Progress | None,
    exc: BaseException,
    now: dt.datetime,
) -> None:
    """After an unexpected error, close the run as failed and free the structure.

    On a session of its own: the run's may hold a dead connection (the database restarted)
    or a failed transaction. The database may still be coming back, so a few tries; if all
    fail, the lease runs out by itself (the row stays "running", as after a SIGKILL).
    """
    with contextlib.suppress(Exception):
        session.rollback()  # ends the transaction (on SQLite, frees the write lock)
    run_id = inspect(progress.run).identity if progress is not None else None
    message = _describe_unexpected(exc)
    for wait in (*CLOSE_RETRIES, None):
        try:
            with Session(session.get_bind()) as fresh:
                state = fresh.get(SyncState, structure_id)
                run = fresh.get(SyncRun, run_id) if run_id is not None else None
                if state is not None and run is not None and progress is not None:
                    run.invoices_seen, run.changes = progress.invoices_seen, progress.changes
                    run.errors = progress.errors
                    _failed(state, run, message, now)
                    _close(fresh, state, run, progress.started)
                elif state is not None:
                    state.running_until, state.running_holder = None, None
                    fresh.commit()
            return
        except Exception as error:
            log.warning("sync of structure %s: closing the run failed (%s)", structure_id, error)
            if wait is not None:
                time.sleep(wait)
    log.error("sync of structure %s: run left open; its lease expires by itself", structure_id)


def _walk(
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
        changed_from=window_from, changed_to=window_to, account=account, per_page=PAGE_SIZE
    )
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


def _interval(seconds: int, jitter: int) -> dt.timedelta:
    """The next sync, spread so thousands of structures never call in the same second."""
    return dt.timedelta(seconds=seconds + random.uniform(-jitter, jitter))


def _failed(state: SyncState, run: SyncRun, message: str, now: dt.datetime) -> None:
    run.status = "failed"
    run.error = message
    run.errors += 1
    state.last_error = message
    state.last_error_at = utcnow()
    state.consecutive_failures += 1
    wait = RETRY_BACKOFF[min(state.consecutive_failures, len(RETRY_BACKOFF)) - 1]
    state.next_sync_at = now + dt.timedelta(seconds=min(wait, state.interval_seconds * 6))
    log.warning("sync of structure %s failed: %s", state.structure_id, message)


def _describe(exc: Exception) -> str:
    if isinstance(exc, NoPortalAccount):
        return "Aucun compte technique n'est enregistré pour cette structure."
    if isinstance(exc, Interrupted):
        return "Synchronisation interrompue par l'arrêt du service ; elle reprendra au redémarrage."
    return getattr(exc, "message", None) or str(exc)


def _describe_unexpected(exc: BaseException) -> str:
    """What a manager reads about a run cut short by an internal error: its kind and the
    driver's own words, never the SQL statement (logged with the traceback instead)."""
    cause = getattr(exc, "orig", None) or exc
    words = str(cause).strip().splitlines()
    detail = f"{type(cause).__name__} : {words[0][:300]}" if words else type(cause).__name__
    return (
        f"Synchronisation interrompue par une erreur interne ({detail}) ; "
        "elle reprendra à la prochaine tentative."
    )
