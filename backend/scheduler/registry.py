"""Every scheduled job, registered in one place with a stable id."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import delete

from backend.config import Config
from backend.push import housekeeping as push_housekeeping
from backend.scheduler.models import JobRun
from backend.scheduler.process import JobContext, JobSpec, Leadership
from backend.sync import jobs as sync_jobs

JOB_RUNS_KEPT = dt.timedelta(days=30)


def prune_job_runs(ctx: JobContext) -> None:
    """Keep a month of job history."""
    ctx.session.execute(delete(JobRun).where(JobRun.started_at < ctx.now - JOB_RUNS_KEPT))


def heartbeat(ctx: JobContext) -> None:
    """Leaves a job_runs row each minute: shows the active scheduler is alive."""


def jobs(config: Config) -> tuple[JobSpec, ...]:
    """The jobs of the scheduler process."""
    return (
        JobSpec("scheduler-heartbeat", heartbeat, config.scheduler_heartbeat_seconds),
        JobSpec("prune-job-runs", prune_job_runs, 24 * 3600),
        JobSpec("portal-sync", sync_jobs.sync_due, config.sync_poll_seconds, record=False),
        JobSpec("technical-password-expiry", sync_jobs.warn_expiring_passwords, 3600),
        JobSpec("push-stale-devices", push_housekeeping.deactivate_stale_devices, 24 * 3600),
        JobSpec("push-prune-deliveries", push_housekeeping.prune_deliveries, 24 * 3600),
    )


def background(app: Flask, leadership: Leadership) -> list[Callable[[threading.Event], Any]]:
    """Loops that run beside the scheduler: the push dispatcher.

    On PostgreSQL every scheduler process dispatches (SKIP LOCKED shares the rows); on
    SQLite only the active one does.
    """
    from backend.push.loop import dispatcher_loop

    config: Config = app.extensions["relais_config"]
    active = (lambda: True) if config.is_postgresql else (lambda: leadership.active)
    return [dispatcher_loop(app, f"{leadership.holder}:push", active)]
