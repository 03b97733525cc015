"""Who syncs: threads that each claim the next due structure and sync it, in the scheduler
(`make run`, SYNC_WORKERS=embedded) or in any number of `relais sync-worker` processes.

The claim is one statement: on PostgreSQL the due row is picked `FOR UPDATE SKIP LOCKED`, so
workers on any machine never wait for each other nor take the same structure; the lease it
sets (SYNC_LEASE_SECONDS, renewed while the run goes on) lets another worker take over a
structure whose worker died. Structures whose members use the app are taken first, then the
longest due. While the portal's calls are paused for everyone (a 429, the circuit open), no
structure is claimed: its run would only fail and push its next sync back.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from flask import Flask
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import current_session, utcnow
from backend.reconnect import Backoff
from backend.sync import quota
from backend.sync.models import SyncState
from backend.sync.service import sync_structure

log = logging.getLogger(__name__)
# A session of its own for each structure: the syncs run in threads, side by side.
SessionFactory = Callable[[], AbstractContextManager[Session]]


def new_holder(kind: str) -> str:
    """A lease holder's name: what it is, where it runs, and unique to this claimer."""
    return f"{kind}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_next(session: Session, holder: str, now: dt.datetime, lease: dt.timedelta) -> int | None:
    """Take the lease of the next due structure no one is syncing; None when none is due."""
    due = (
        select(SyncState.structure_id)
        .where(
            SyncState.next_sync_at <= now,
            or_(SyncState.running_until.is_(None), SyncState.running_until < now),
        )
        .order_by(SyncState.priority.desc(), SyncState.next_sync_at)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    taken = session.scalar(
        update(SyncState)
        .where(SyncState.structure_id == due.scalar_subquery())
        .values(running_until=now + lease, running_holder=holder)
        .returning(SyncState.structure_id)
    )
    session.commit()
    return taken


def portal_paused(session: Session, config: Config) -> bool:
    """True while every process's portal calls are paused (a 429's Retry-After, the circuit)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return quota.shared_quota(engine, config).pause_left() > 0


def sync_next(sessions: SessionFactory, config: Config, holder: str, stop: threading.Event) -> bool:
    """Claim the next due structure and sync it; False when none was due, the portal's calls
    are paused, or the process is stopping."""
    if stop.is_set():
        return False  # the process is stopping: what is due waits for the next start
    lease = dt.timedelta(seconds=config.sync_lease_seconds)
    with sessions() as session:
        if portal_paused(session, config):
            return False  # claimed now, its run would fail at its first call
        structure_id = claim_next(session, holder, utcnow(), lease)
        if structure_id is None:
            return False
        try:
            sync_structure(
                session, structure_id, config=config, holder=holder, claimed=True, stop=stop
            )
        except Exception:
            session.rollback()
            log.exception("sync of structure %s crashed", structure_id)
    return True


def drain(
    sessions: SessionFactory,
    config: Config,
    stop: threading.Event,
    threads: int,
    most: int,
) -> None:
    """Sync due structures in `threads` threads until none is due, at most `most` each."""

    def one_thread() -> None:
        holder = new_holder("scheduler")
        for _ in range(most):
            if not sync_next(sessions, config, holder, stop):
                return

    if threads == 1:
        one_thread()
        return
    workers = [threading.Thread(target=one_thread, name=f"sync-{n}") for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def worker_loop(
    sessions: SessionFactory, config: Config, stop: threading.Event, name: str
) -> Callable[[], None]:
    """One thread of a `relais sync-worker`: claim, sync, and when nothing is due, wait a poll.

    Nothing ends it but `stop`: after a failure (the database restarting) it waits a growing
    backoff and claims again."""

    def loop() -> None:
        holder = new_holder(name)
        backoff = Backoff(first=1.0, cap=30.0)
        while not stop.is_set():
            try:
                if not sync_next(sessions, config, holder, stop):
                    stop.wait(config.sync_poll_seconds)
                backoff.reset()
            except Exception:
                delay = backoff.next()
                log.exception("sync worker %s: claiming failed; again in %.1f s", holder, delay)
                stop.wait(delay)

    return loop


def run_workers(
    sessions: SessionFactory, config: Config, stop: threading.Event, grace: float = 8.0
) -> list[str]:
    """A `relais sync-worker` process: SYNC_WORKER_CONCURRENCY claiming threads until `stop`,
    then `grace` seconds for their runs to close; the names of threads still running."""
    threads = [
        threading.Thread(
            target=worker_loop(sessions, config, stop, "worker"), name=f"sync-worker-{n}"
        )
        for n in range(max(1, config.sync_worker_concurrency))
    ]
    for thread in threads:
        thread.start()
    log.info("sync worker started with %d threads", len(threads))
    stop.wait()
    deadline = time.monotonic() + grace
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()]


def app_sessions(app: Flask) -> SessionFactory:
    """Sessions for worker threads: each in an app context of its own."""

    @contextmanager
    def session() -> Iterator[Session]:
        with app.app_context():
            yield current_session()

    return session
