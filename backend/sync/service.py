"""Sync one structure's invoices from the portal: incremental, resumable, overlap-safe."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient, Structure
from backend.config import Config
from backend.db import utcnow
from backend.invoices import service as invoices
from backend.invoices.models import Invoice
from backend.invoices.statuses import normalize_code
from backend.portal import (
    InvoiceSummary,
    PortalClient,
    PortalEnvironment,
    PortalError,
    TechnicalAccount,
    window_end,
)
from backend.portal.endpoints import ENVIRONMENTS
from backend.sync import crypto
from backend.sync.models import PortalAccount, SyncRun, SyncState

log = logging.getLogger(__name__)
SOURCE = "sync"
LEASE = dt.timedelta(minutes=2)
RETRY_BACKOFF = (30, 120, 600, 1800)


class NoPortalAccount(Exception):
    """The structure has no technical account registered."""


def environment(config: Config) -> PortalEnvironment:
    if config.portal_env == "local":
        return PortalEnvironment.local(config.portal_base_url)
    return ENVIRONMENTS[config.portal_env]


def open_client(config: Config, account: TechnicalAccount) -> PortalClient:
    return PortalClient(
        environment(config),
        config.portal_client_id,
        config.portal_client_secret,
        account=account,
        timeout=config.portal_timeout,
    )


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
    run: SyncRun
    state: SyncState

    def checkpoint(self, session: Session) -> None:
        """Commit the work so far and extend the lease."""
        self.state.running_until = utcnow() + LEASE
        session.commit()


def sync_structure(
    session: Session,
    structure_id: int,
    *,
    config: Config,
    holder: str = "cli",
    client: PortalClient | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
) -> SyncRun | None:
    """Run one sync; None when another run holds the lease (unless forced)."""
    now = now or utcnow()
    if not force and not claim(session, structure_id, holder, now):
        return None
    state = session.get(SyncState, structure_id)
    if state is None:
        raise NoPortalAccount(structure_id)
    window_to = window_end(now)
    run = SyncRun(
        structure_id=structure_id,
        started_at=now,
        window_from=state.watermark,
        window_to=window_to,
        invoices_seen=0,
        changes=0,
        errors=0,
    )
    session.add(run)
    session.commit()
    started = time.monotonic()
    try:
        account = technical_account(session, structure_id, config)
        owned = client is None
        portal = client or open_client(config, account)
        try:
            _walk(session, portal, account, Progress(run, state), window_to)
        finally:
            if owned:
                portal.close()
    except (PortalError, NoPortalAccount, crypto.CredentialsKeyError) as exc:
        session.rollback()
        _failed(state, run, _describe(exc), now)
    else:
        run.status = "ok" if not run.errors else "partial"
        state.watermark = window_to
        state.last_success_at = utcnow()
        state.consecutive_failures = 0
        state.next_sync_at = now + _interval(state.interval_seconds, config.sync_jitter_seconds)
    run.finished_at = utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    state.running_until = None
    state.running_holder = None
    session.commit()
    return run


def _walk(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    progress: Progress,
    window_to: dt.datetime,
) -> None:
    run, state = progress.run, progress.state
    summaries = portal.iter_supplier_invoices(
        changed_from=state.watermark, changed_to=window_to, account=account
    )
    for summary in summaries:
        run.invoices_seen += 1
        try:
            run.changes += _apply(session, portal, account, state.structure_id, summary)
        except invoices.ForeignInvoice:
            run.errors += 1
            log.warning("portal invoice %s belongs to another structure", summary.portal_id)
        # Each invoice is committed: a crash loses no recorded change, and no transaction
        # stays open while the portal is called (SQLite has a single writer).
        progress.checkpoint(session)


def _apply(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    structure_id: int,
    summary: InvoiceSummary,
) -> int:
    """Record one invoice; the history call is skipped when nothing new can be in it."""
    known = session.execute(
        select(Invoice.status_code, Invoice.status_changed_at).where(
            Invoice.portal_id == summary.portal_id
        )
    ).first()
    data = invoices.InvoiceRecord(**summary.record_fields())
    if (
        known
        and known[0] == normalize_code(summary.status)
        and known[1] == summary.status_changed_at
    ):
        invoices.record_isolated(session, structure_id, data, [], source=SOURCE)
        return 0
    session.commit()
    history = portal.invoice_history(summary.portal_id, account=account)
    changes = [invoices.ChangeIn(e.code, e.occurred_at, e.comment) for e in history.events]
    result = invoices.record_isolated(session, structure_id, data, changes, source=SOURCE)
    if summary.recipient_portal_id:
        _check_directory(
            session, portal, account, result.invoice.recipient_id, summary.recipient_portal_id
        )
    return len(result.new_changes)


DIRECTORY_MAX_AGE = dt.timedelta(days=30)


def _check_directory(
    session: Session,
    portal: PortalClient,
    account: TechnicalAccount,
    recipient_id: int,
    portal_structure_id: int,
) -> None:
    """Refresh a recipient's directory flags once a month."""
    recipient = session.get(Recipient, recipient_id)
    if recipient is None or (
        recipient.directory_checked_at
        and recipient.directory_checked_at > utcnow() - DIRECTORY_MAX_AGE
    ):
        return
    info = portal.consult_structure(portal_structure_id, account=account)
    recipient.portal_structure_id = portal_structure_id
    recipient.service_code_required = info.service_code_required
    recipient.engagement_required = info.engagement_required
    recipient.engagement_or_service_required = info.engagement_or_service
    recipient.payment_status_not_reported = info.payment_status_not_reported
    recipient.directory_checked_at = utcnow()


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
    return getattr(exc, "message", None) or str(exc)
