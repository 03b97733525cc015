"""The one scheduler process (`relais scheduler`); never started inside web workers."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import current_session, insert_ignoring_conflicts, utcnow
from backend.scheduler import lease
from backend.scheduler.models import JobRun

log = logging.getLogger(__name__)
# Interval triggers start here, so every process computes the same fire times.
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass
class JobContext:
    """What a job may use; jobs are plain functions of these."""

    session: Session
    now: dt.datetime
    config: Config
    app: Flask


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
        session = current_session()
        try:
            if lease.try_acquire(session, leadership.holder, leadership.ttl):
                if leadership.until is None:
                    log.info("scheduler %s is now active", leadership.holder)
                leadership.until = utcnow() + leadership.ttl
            else:
                if leadership.until is not None:
                    log.warning("scheduler %s lost the lease", leadership.holder)
                leadership.until = None
        except Exception:
            session.rollback()
            leadership.until = None
            log.exception("lease renewal failed")


def _claim(session: Session, spec: JobSpec, holder: str, now: dt.datetime) -> int | None:
    """Record the occurrence; None when another runner already has this slot."""
    slot = round((now - EPOCH).total_seconds() / spec.seconds)
    row = {"job_id": spec.id, "slot": slot, "holder": holder, "started_at": now}
    if not insert_ignoring_conflicts(session, JobRun.__table__, [row]):
        session.rollback()
        return None
    session.commit()
    return slot


def run_job(app: Flask, spec: JobSpec, leadership: Leadership) -> None:
    """Run one occurrence if this process is the active scheduler."""
    if not leadership.active:
        return
    with app.app_context():
        session = current_session()
        now = utcnow()
        slot = _claim(session, spec, leadership.holder, now) if spec.record else None
        if spec.record and slot is None:
            return
        error = None
        try:
            spec.run(JobContext(session, now, app.extensions["relais_config"], app))
            session.commit()
        except Exception as exc:
            session.rollback()
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s failed", spec.id)
        if slot is not None:
            _finish(session, spec.id, slot, error)


def _finish(session: Session, job_id: str, slot: int, error: str | None) -> None:
    try:
        session.execute(
            update(JobRun)
            .where(JobRun.job_id == job_id, JobRun.slot == slot)
            .values(finished_at=utcnow(), ok=error is None, error=error)
        )
        session.commit()
    except IntegrityError:
        session.rollback()


def build_scheduler(
    app: Flask, jobs: Sequence[JobSpec], leadership: Leadership
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
            args=(app, spec, leadership),
            id=spec.id,
        )
    return scheduler


def run_scheduler(
    app: Flask,
    jobs: Sequence[JobSpec] | None = None,
    holder: str | None = None,
    background: Sequence[Callable[[threading.Event], Any]] = (),
) -> None:
    """Run until SIGTERM/SIGINT; background loops (the dispatcher) get a stop event."""
    from backend.scheduler import registry

    config: Config = app.extensions["relais_config"]
    ttl = dt.timedelta(seconds=config.scheduler_lease_seconds)
    leadership = Leadership(holder or new_holder(), ttl)
    scheduler = build_scheduler(app, registry.jobs(config) if jobs is None else jobs, leadership)
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=loop, args=(stop,), daemon=True, name=getattr(loop, "__name__", "loop")
        )
        for loop in (*registry.background(app, leadership), *background)
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
    for thread in threads:
        thread.join(timeout=10)
    with app.app_context():
        lease.release(current_session(), leadership.holder)
