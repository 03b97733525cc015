"""Sync one structure's invoices from the portal: incremental, resumable, overlap-safe.

A run claims the structure's lease, walks the portal's search from its watermark
(backend/sync/walk.py) and always ends: its row closed, the lease released."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import threading
import time

from sqlalchemy import Engine, inspect, or_, select, update
from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import utcnow
from backend.portal import (
    PortalClient,
    PortalError,
    window_end,
)
from backend.portal.pacing import CallGate
from backend.sync import crypto, quota, turns
from backend.sync.accounts import NoPortalAccount, open_client, technical_account
from backend.sync.models import SyncRun, SyncState
from backend.sync.progress import LEASE, Interrupted, Progress
from backend.sync.walk import walk

log = logging.getLogger(__name__)

RETRY_BACKOFF = (30, 120, 600, 1800)

CLOSE_RETRIES = (0.5, 1.0, 2.0)  # waits while a database that dropped us comes back


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


def claim(
    session: Session,
    structure_id: int,
    holder: str,
    now: dt.datetime,
    lease: dt.timedelta = LEASE,
) -> bool:
    """Take the structure's sync lease; False when another run holds it."""
    taken = session.execute(
        update(SyncState)
        .where(
            SyncState.structure_id == structure_id,
            or_(SyncState.running_until.is_(None), SyncState.running_until < now),
        )
        .values(running_until=now + lease, running_holder=holder)
        .returning(SyncState.structure_id)
    ).all()
    session.commit()
    return bool(taken)


def sync_structure(
    session: Session,
    structure_id: int,
    *,
    config: Config,
    holder: str = "cli",
    client: PortalClient | None = None,
    force: bool = False,
    claimed: bool = False,
    now: dt.datetime | None = None,
    stop: threading.Event | None = None,
) -> SyncRun | None:
    """Run one sync (one turn of a long walk); None when another run holds the lease (unless
    forced, or `claimed`: the caller took the lease already, backend/sync/workers.py).

    The run always ends: whatever interrupts it (the portal, `stop`, the database going away,
    a bug), its row is closed as failed with the reason and the structure's lease released.
    """
    now = now or utcnow()
    lease = dt.timedelta(seconds=config.sync_lease_seconds)
    if not (force or claimed) and not claim(session, structure_id, holder, now, lease):
        return None
    progress: Progress | None = None
    try:
        if not force:
            _close_abandoned_runs(session, structure_id, now)
        state = session.get(SyncState, structure_id)
        if state is None:
            raise NoPortalAccount(structure_id)
        # Read now: after the commits below, reading the state again would cost a query.
        window_from, interval = state.watermark, state.interval_seconds
        window_to = state.resume_window_to or window_end(now)
        cursor, floor = turns.cursor(state), state.resume_floor
        run = SyncRun(
            structure_id=structure_id,
            started_at=now,
            due_at=state.next_sync_at,
            window_from=window_from,
            window_to=window_to,
            invoices_seen=0,
            changes=0,
            errors=0,
        )
        session.add(run)
        session.commit()
        progress = Progress(
            run, state, structure_id, stop=stop, lease=lease, cursor=cursor,
            push_max_age=dt.timedelta(hours=config.push_max_age_hours),
            pages_per_turn=config.sync_pages_per_turn or None,
            held=[floor] if floor is not None else [],
        )  # fmt: skip
        try:
            _fetch(session, config, client, progress, window_from, window_to)
        except (PortalError, NoPortalAccount, crypto.CredentialsKeyError, Interrupted) as exc:
            session.rollback()
            progress.save_counters()
            _failed(state, run, _describe(exc), now)
        else:
            progress.save_counters()
            run.status = "ok" if not progress.errors else "partial"
            state.last_success_at = utcnow()
            state.consecutive_failures = 0
            if progress.cursor.done:
                state.watermark = progress.watermark(window_from, window_to)
                turns.finish(state)
                state.next_sync_at = now + _interval(interval, config.sync_jitter_seconds)
            else:
                # Due again at once, behind every structure that was due before this turn.
                turns.carry_over(state, progress, window_from, window_to)
                state.next_sync_at = now
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
    portal = client or open_client(
        config, account, progress.stop, _gate(session, config, progress.stop)
    )
    calls = portal.calls
    try:
        walk(session, portal, account, progress, window_from, window_to)
    finally:
        progress.portal_calls = portal.calls - calls
        if owned:
            portal.close()


def _gate(session: Session, config: Config, stop: threading.Event | None) -> CallGate:
    """The fleet's portal quota, its waits ended by the process stopping."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    gate = quota.shared_quota(engine, config)
    return gate.with_sleep(quota.interruptible(stop)) if stop is not None else gate


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
