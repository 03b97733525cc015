"""Every scheduled job, registered in one place with a stable id.

Jobs are plain functions of what they read (a session, the time, a setting or two); the
adapters here build those from the `JobContext`, so no domain imports the scheduler.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend.accounts import emailed as account_links
from backend.announcements import jobs as announcement_jobs
from backend.config import Config
from backend.mail import make_mailer
from backend.payments import jobs as payment_jobs
from backend.privacy import retention
from backend.push import housekeeping as push_housekeeping
from backend.push.broadcast import ServiceNotices
from backend.ratelimits import jobs as ratelimit_jobs
from backend.scheduler.models import JobRun
from backend.scheduler.process import JobContext, JobSpec, Leadership
from backend.site import build as site_build
from backend.sync import fleet as sync_fleet
from backend.sync import jobs as sync_jobs
from backend.sync.reminders import ExpiryMail
from backend.sync.workers import app_sessions
from backend.trainings import jobs as trainings_jobs
from backend.trainings.settings import TrainingSettings

JOB_RUNS_KEPT = dt.timedelta(days=30)
DAY = 24 * 3600


def prune_job_runs(session: Session, now: dt.datetime) -> None:
    """Keep a month of job history."""
    session.execute(delete(JobRun).where(JobRun.started_at < now - JOB_RUNS_KEPT))


def heartbeat(ctx: JobContext) -> None:
    """Leaves a job_runs row each minute: shows the active scheduler is alive."""


def _of_session_and_now(
    job: Callable[[Session, dt.datetime], object],
) -> Callable[[JobContext], object]:
    """The adapter of a job that reads only the session and the time."""
    return lambda ctx: job(ctx.session, ctx.now)


def portal_sync(ctx: JobContext) -> None:
    """Structures whose sync is due, each in a session of its own; ends early on stop."""
    sync_jobs.sync_due(ctx.session, ctx.config, sessions=app_sessions(ctx.app), stop=ctx.stop)


def password_expiry(ctx: JobContext) -> None:
    """Technical passwords about to expire: a push to managers, an e-mail to main managers."""
    config = ctx.config
    mail = ExpiryMail(make_mailer(config), config.mail_from, config.public_base_url)
    sync_jobs.warn_expiring_passwords(ctx.session, ctx.now, mail)


def trainings_reminders(ctx: JobContext) -> None:
    """Reminder e-mails 24 h and 1 h before each session, each sent once."""
    trainings_jobs.send_due_reminders(ctx.session, make_mailer(ctx.config), ctx.now, _settings(ctx))


def trainings_expire_unconfirmed(ctx: JobContext) -> None:
    """Unconfirmed sign-ups past their delay free their seat for the waiting list."""
    trainings_jobs.expire_unconfirmed(ctx.session, make_mailer(ctx.config), ctx.now, _settings(ctx))


def trainings_purge_personal_data(ctx: JobContext) -> None:
    """Participants' personal data anonymised a while after the session."""
    trainings_jobs.purge_personal_data(ctx.session, ctx.now, _settings(ctx))


def maintenance_push(ctx: JobContext) -> None:
    """A maintenance announcement reaches every device that accepts service notices."""
    announcement_jobs.push_maintenance_announcements(
        ctx.session, ServiceNotices(ctx.session), ctx.now
    )


def site_rebuild(ctx: JobContext) -> None:
    """The community site rebuilt when what it shows has changed."""
    site_build.rebuild_site_on_change(ctx.session, ctx.now, ctx.config)


def payment_reminders(ctx: JobContext) -> None:
    """Deadline-coming and deadline-passed notices, in the morning."""
    payment_jobs.payment_reminders(ctx.session, ctx.now, ctx.config.payment_reminder_days)


def _settings(ctx: JobContext) -> TrainingSettings:
    return TrainingSettings.from_config(ctx.config)


def jobs(config: Config) -> tuple[JobSpec, ...]:
    """The jobs of the scheduler process."""
    plain = _of_session_and_now
    # With SYNC_WORKERS=external, `relais sync-worker` processes sync; the scheduler does not.
    embedded = config.sync_workers != "external"
    return (
        JobSpec("scheduler-heartbeat", heartbeat, config.scheduler_heartbeat_seconds),
        JobSpec("prune-job-runs", plain(prune_job_runs), DAY),
        *(
            [JobSpec("portal-sync", portal_sync, config.sync_poll_seconds, record=False)]
            if embedded
            else []
        ),
        JobSpec("sync-priority", plain(sync_jobs.prioritise_active_structures), 60),
        JobSpec("sync-fleet-figures", plain(sync_fleet.log_fleet_figures), 60),
        JobSpec("technical-password-expiry", password_expiry, 3600),
        JobSpec("push-stale-devices", plain(push_housekeeping.deactivate_stale_devices), DAY),
        JobSpec("push-prune-deliveries", plain(push_housekeeping.prune_deliveries), DAY),
        JobSpec("trainings-reminders", trainings_reminders, 60),
        JobSpec("trainings-expire-unconfirmed", trainings_expire_unconfirmed, 60),
        JobSpec("trainings-purge-personal-data", trainings_purge_personal_data, DAY),
        JobSpec("newsletter-forget-stale", plain(announcement_jobs.forget_stale), DAY),
        JobSpec("maintenance-push", maintenance_push, 60),
        JobSpec("site-rebuild", site_rebuild, site_build.CHECK_SECONDS),
        JobSpec("payment-reminders", payment_reminders, 3600),
        JobSpec("payment-habits", plain(payment_jobs.recompute_habits), DAY),
        JobSpec("rate-limits-prune", plain(ratelimit_jobs.prune_counters), DAY),
        JobSpec("account-links-prune", plain(account_links.prune), DAY),
        JobSpec("privacy-retention", plain(retention.forget), DAY),
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
