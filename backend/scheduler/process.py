"""The one scheduler process (`relais scheduler`); never started inside web workers."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import insert_ignoring_conflicts, unit_of_work, utcnow
from backend.reconnect import Backoff
from backend.scheduler import lease
from backend.scheduler.models import JobRun

log = logging.getLogger(__name__)
# Interval triggers start here, so every process computes the same fire times.
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
# After SIGTERM: how long loops and running jobs get to finish. `run-all` (and a service
# manager) kill the process 15 s after SIGTERM; this leaves time to release the lease.
STOP_GRACE = 8.0
# A loop that ran this long before dying starts again after the shortest wait.
HEALTHY_RUN = 60.0


@dataclass
class JobContext:
    """What a job may use; jobs are plain functions of these."""

    session: Session
    now: dt.datetime
    config: Config
    app: Flask
    # Set when the process is stopping: a long job (the sync) ends early, cleanly.
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class JobSpec:
    """A job with a stable id, run every `seconds` by the lease holder only."""

    id: str
    run: Callable[[JobContext], object]
    seconds: float
    record: bool = True  # keep a row per occurrence (and fence on it)


@dataclass
class Leadership:
    """Whether this process holds the lease, and until when."""

    holder: str
    ttl: dt.timedelta
    until: dt.datetime | None = None

    @property
    def active(self) -> bool:
        # Stop acting a little before the lease runs out, so two never overlap.
        return self.until is not None and utcnow() < self.until - self.ttl / 6


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def renew(app: Flask, leadership: Leadership) -> None:
    with app.app_context():
        try:
            with unit_of_work() as session:
                held = lease.try_acquire(session, leadership.holder, leadership.ttl)
        except Exception:
            leadership.until = None
            log.exception("lease renewal failed")
            return
        if held:
            if leadership.until is None:
                log.info("scheduler %s is now active", leadership.holder)
            leadership.until = utcnow() + leadership.ttl
        else:
            if leadership.until is not None:
                log.warning("scheduler %s lost the lease", leadership.holder)
            leadership.until = None


def _claim(session: Session, spec: JobSpec, holder: str, now: dt.datetime) -> int | None:
    """Record the occurrence; None when another runner already has this slot."""
    slot = round((now - EPOCH).total_seconds() / spec.seconds)
    row = {"job_id": spec.id, "slot": slot, "holder": holder, "started_at": now}
    return slot if insert_ignoring_conflicts(session, JobRun.__table__, [row]) else None


def run_job(
    app: Flask, spec: JobSpec, leadership: Leadership, stop: threading.Event | None = None
) -> None:
    """Run one occurrence if this process is the active scheduler (and is not stopping)."""
    if not leadership.active or (stop is not None and stop.is_set()):
        return
    with app.app_context():
        now = utcnow()
        slot = None
        if spec.record:
            with unit_of_work() as session:
                slot = _claim(session, spec, leadership.holder, now)
            if slot is None:
                return
        error = None
        try:
            config = app.extensions["relais_config"]
            with unit_of_work() as session:
                spec.run(JobContext(session, now, config, app, stop or threading.Event()))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed", spec.id)
        if slot is not None:
            _finish(spec.id, slot, error)


def _finish(job_id: str, slot: int, error: str | None) -> None:
    try:
        with unit_of_work() as session:
            session.execute(
                update(JobRun)
                .where(JobRun.job_id == job_id, JobRun.slot == slot)
                .values(finished_at=utcnow(), ok=error is None, error=error)
            )
    except IntegrityError:
        log.warning("job %s: its run row could not be closed", job_id)


def build_scheduler(
    app: Flask, jobs: Sequence[JobSpec], leadership: Leadership, stop: threading.Event
) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=dt.UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_job(
        renew,
        IntervalTrigger(seconds=leadership.ttl.total_seconds() / 3),
        args=(app, leadership),
        id="scheduler-lease",
        next_run_time=utcnow(),
    )
    for spec in jobs:
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=spec.seconds, start_date=EPOCH, timezone=dt.UTC),
            args=(app, spec, leadership, stop),
            id=spec.id,
        )
    return scheduler


def supervised(loop: Callable[[threading.Event], Any], stop: threading.Event) -> Callable[[], None]:
    """`loop(stop)` for a thread, started again after a growing wait whenever it dies.

    Why restart here rather than exit non-zero for a service manager to restart us: under
    `make run`, `run-all` does not restart a child, it stops everything when one exits, so a
    dead dispatcher would take the web server down with it; and the rest of this process (the
    lease, the jobs) is healthy. A loop starts from scratch each time (the dispatcher builds a
    new transport and LISTEN connection), so a restart leaves no broken state behind.
    """
    name = getattr(loop, "__name__", "loop")

    def run() -> None:
        backoff = Backoff(first=1.0, cap=60.0)
        while not stop.is_set():
            started = time.monotonic()
            try:
                loop(stop)
                if stop.is_set():
                    return
                log.error("%s returned although the scheduler is running", name)
            except Exception:
                log.exception("%s died", name)
            if time.monotonic() - started > HEALTHY_RUN:
                backoff.reset()
            delay = backoff.next()
            log.warning("%s starts again in %.1f s", name, delay)
            stop.wait(delay)

    return run


def run_scheduler(
    app: Flask,
    jobs: Sequence[JobSpec],
    background: Callable[[Leadership], Sequence[Callable[[threading.Event], Any]]] = lambda _: (),
    holder: str | None = None,
) -> None:
    """Run until SIGTERM/SIGINT; background loops (the dispatcher) get a stop event.

    `background` makes the loops from this process's leadership; the registry
    (`backend.scheduler.registry`) names the jobs and the loops, `relais scheduler` passes them."""
    config: Config = app.extensions["relais_config"]
    ttl = dt.timedelta(seconds=config.scheduler_lease_seconds)
    leadership = Leadership(holder or new_holder(), ttl)
    stop = threading.Event()
    scheduler = build_scheduler(app, jobs, leadership, stop)
    threads = [
        threading.Thread(
            target=supervised(loop, stop), daemon=True, name=getattr(loop, "__name__", "loop")
        )
        for loop in background(leadership)
    ]

    def shutdown(signum: int, _frame: object) -> None:
        log.info("scheduler stopping (signal %s)", signum)
        stop.set()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    for thread in threads:
        thread.start()
    log.info("scheduler %s started with %d jobs", leadership.holder, len(scheduler.get_jobs()))
    scheduler.start()
    stop.set()
    stuck = _join(threads, time.monotonic() + STOP_GRACE)
    with app.app_context():
        try:
            with unit_of_work() as session:
                lease.release(session, leadership.holder)
        except Exception:
            log.exception("could not release the scheduler lease (it expires by itself)")
    if stuck:
        # A job blocked in a call that `stop` cannot cut short (a portal that does not answer,
        # a site build): the interpreter would wait for it at exit, past run-all's patience.
        log.warning("scheduler stopped with %s still running", ", ".join(stuck))
        logging.shutdown()
        os._exit(0)
    log.info("scheduler stopped")


def _join(loops: Sequence[threading.Thread], deadline: float) -> list[str]:
    """Wait until the deadline for the loops, then for the jobs still running (the other
    non-daemon threads); the names of those still running."""
    me = threading.current_thread()
    waiting = [*loops, *(t for t in threading.enumerate() if not t.daemon and t is not me)]
    for thread in waiting:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in waiting if thread.is_alive()]
