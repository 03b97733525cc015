"""The registry: stable ids and periods, and every job runs through its adapter."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from backend.config import Config
from backend.db import current_session, utcnow
from backend.scheduler import registry
from backend.scheduler.models import JobRun
from backend.scheduler.process import Leadership, run_job
from backend.site import build
from backend.trainings.settings import TrainingSettings
from tests.conftest import sibling_app

TTL = dt.timedelta(seconds=30)
DAY, HOUR, MINUTE = 86400, 3600, 60


def test_jobs_keep_their_ids_and_periods() -> None:
    config = Config(scheduler_heartbeat_seconds=60, sync_poll_seconds=30)
    periods = {spec.id: spec.seconds for spec in registry.jobs(config)}
    assert periods == {
        "scheduler-heartbeat": 60,
        "prune-job-runs": DAY,
        "portal-sync": 30,
        "sync-priority": MINUTE,
        "sync-fleet-figures": MINUTE,
        "technical-password-expiry": HOUR,
        "push-stale-devices": DAY,
        "push-prune-deliveries": DAY,
        "trainings-reminders": MINUTE,
        "trainings-expire-unconfirmed": MINUTE,
        "trainings-purge-personal-data": DAY,
        "newsletter-forget-stale": DAY,
        "maintenance-push": MINUTE,
        "site-rebuild": build.CHECK_SECONDS,
        "payment-reminders": HOUR,
        "payment-habits": DAY,
        "rate-limits-prune": DAY,
        "account-links-prune": DAY,
        "privacy-retention": DAY,
    }
    unrecorded = [spec.id for spec in registry.jobs(config) if not spec.record]
    assert unrecorded == ["portal-sync"]  # the sync has its own runs and leases


def test_with_external_sync_workers_the_scheduler_keeps_its_chores_but_does_not_sync() -> None:
    embedded = {spec.id for spec in registry.jobs(Config())}
    external = {spec.id for spec in registry.jobs(Config(sync_workers="external"))}
    assert embedded - external == {"portal-sync"}


def test_every_job_runs_once_through_its_adapter(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with sibling_app(app, tmp_path) as scheduler, scheduler.app_context():
        config: Config = scheduler.extensions["relais_config"]
        now = utcnow()
        # The site is up to date: the rebuild job compares what it shows and builds nothing.
        shown = build.site_data(current_session(), TrainingSettings.from_config(config), now)
        build.record_build(config, build.fingerprint(shown), now)
        current_session().rollback()
        specs = registry.jobs(config)
        leadership = Leadership("test", TTL, utcnow() + TTL)
        with caplog.at_level(logging.ERROR):
            for spec in specs:
                run_job(scheduler, spec, leadership)
        runs = current_session().scalars(select(JobRun)).all()
        assert {run.job_id: (run.ok, run.error) for run in runs} == {
            spec.id: (True, None) for spec in specs if spec.record
        }
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
