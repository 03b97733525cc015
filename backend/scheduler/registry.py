"""Every scheduled job, registered in one place with a stable id."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import delete

from backend.announcements import jobs as announcement_jobs
from backend.config import Config
from backend.mail import make_mailer
from backend.payments import jobs as payment_jobs
from backend.push import housekeeping as push_housekeeping
from backend.push.broadcast import ServiceNotices
from backend.ratelimits import jobs as ratelimit_jobs
from backend.scheduler.models import JobRun
from backend.scheduler.process import JobContext, JobSpec, Leadership
from backend.site import build as site_build
from backend.sync import jobs as sync_jobs
from backend.trainings import jobs as trainings_jobs
from backend.trainings.settings import TrainingSettings

JOB_RUNS_KEPT = dt.timedelta(days=30)


def prune_job_runs(ctx: JobContext) -> None:
    """Keep a month of job history."""
    ctx.session.execute(delete(JobRun).where(JobRun.started_at < ctx.now - JOB_RUNS_KEPT))


def heartbeat(ctx: JobContext) -> None:
    """Leaves a job_runs row each minute: shows the active scheduler is alive."""


def trainings_reminders(ctx: JobContext) -> None:
    """Reminder e-mails 24 h and 1 h before each session, each sent once."""
    trainings_jobs.send_due_reminders(ctx.session, make_mailer(ctx.config), ctx.now, _settings(ctx))


def trainings_expire_unconfirmed(ctx: JobContext) -> None:
    """Unconfirmed sign-ups past their delay free their seat for the waiting list."""
    trainings_jobs.expire_unconfirmed(ctx.session, make_mailer(ctx.config), ctx.now, _settings(ctx))


def trainings_purge_personal_data(ctx: JobContext) -> None:
    """Participants' personal data anonymised a while after the session."""
    trainings_jobs.purge_personal_data(ctx.session, ctx.now, _settings(ctx))


def newsletter_forget_stale(ctx: JobContext) -> None:
    """Addresses never confirmed, or unsubscribed, are forgotten."""
    announcement_jobs.forget_stale(ctx.session, ctx.now)


def maintenance_push(ctx: JobContext) -> None:
    """A maintenance announcement reaches every device that accepts service notices."""
    announcement_jobs.push_maintenance_announcements(
        ctx.session, ServiceNotices(ctx.session), ctx.now
    )


def _settings(ctx: JobContext) -> TrainingSettings:
    return TrainingSettings.from_config(ctx.config)


def jobs(config: Config) -> tuple[JobSpec, ...]:
    """The jobs of the scheduler process."""
    return (
        JobSpec("scheduler-heartbeat", heartbeat, config.scheduler_heartbeat_seconds),
        JobSpec("prune-job-runs", prune_job_runs, 24 * 3600),
        JobSpec("portal-sync", sync_jobs.sync_due, config.sync_poll_seconds, record=False),
        JobSpec("technical-password-expiry", sync_jobs.warn_expiring_passwords, 3600),
        JobSpec("push-stale-devices", push_housekeeping.deactivate_stale_devices, 24 * 3600),
        JobSpec("push-prune-deliveries", push_housekeeping.prune_deliveries, 24 * 3600),
        JobSpec("trainings-reminders", trainings_reminders, 60),
        JobSpec("trainings-expire-unconfirmed", trainings_expire_unconfirmed, 60),
        JobSpec("trainings-purge-personal-data", trainings_purge_personal_data, 24 * 3600),
        JobSpec("newsletter-forget-stale", newsletter_forget_stale, 24 * 3600),
        JobSpec("maintenance-push", maintenance_push, 60),
        JobSpec("site-rebuild", site_build.rebuild_site_on_change, site_build.CHECK_SECONDS),
        JobSpec("payment-reminders", payment_jobs.payment_reminders, 3600),
        JobSpec("payment-habits", payment_jobs.payment_habits_job, 24 * 3600),
        JobSpec("rate-limits-prune", ratelimit_jobs.prune_counters, 24 * 3600),
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
