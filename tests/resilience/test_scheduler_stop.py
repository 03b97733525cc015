"""SIGTERM stops the scheduler within run-all's grace, syncs in progress included.

`run-all` stops every child at once: the portal sandbox goes away while the scheduler's
syncs still call it. Those syncs end at once (failed, lease released) instead of retrying
against a portal that is gone, and the structures not started yet wait for the next start.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from backend.db import current_session
from backend.portal.sandbox import SandboxServer, create_sandbox_app
from backend.sync.accounts import register_account
from backend.sync.models import SyncRun, SyncState
from tests.factories import StructureFactory
from tests.resilience.conftest import STOP_GRACE, relais, stop_within_grace, wait_for

pytestmark = pytest.mark.nodb
STRUCTURES = 8


def runs_started() -> int:
    count = int(current_session().scalar(select(func.count()).select_from(SyncRun)) or 0)
    current_session().commit()
    return count


def test_sigterm_during_syncs_against_a_vanishing_portal_stops_promptly(
    cluster_app: Flask, cluster_url: str, tmp_path: Path
) -> None:
    server = SandboxServer(create_sandbox_app(None, seed=5, invoices=30)).start()
    server.app.sandbox.faults.slow_answer(0.2)
    account = server.app.sandbox.accounts()[0]
    config = cluster_app.extensions["relais_config"]
    for _ in range(STRUCTURES):
        register_account(
            current_session(), StructureFactory(), str(account["login"]),
            str(account["password"]), None, config=config,
        )  # fmt: skip
    current_session().commit()
    env = {
        "DATABASE_URL": cluster_url, "RELAIS_INSTANCE": str(tmp_path / "instance"),
        "PORTAL_BASE_URL": server.url, "CREDENTIALS_KEY": config.credentials_key,
        "SYNC_POLL_SECONDS": "1", "SYNC_CONCURRENCY": "2", "SITE_DIR": str(tmp_path / "site"),
        "PUSH_TRANSPORT": "log",
    }  # fmt: skip
    scheduler = relais(["scheduler"], env, tmp_path / "scheduler.log")
    try:
        assert wait_for(lambda: runs_started() >= 2, 40), "the syncs should be under way"
    finally:
        server.stop()  # as under run-all: the portal goes away with the scheduler
        code, seconds = stop_within_grace(scheduler)
    print(f"\nscheduler stopped {seconds:.1f} s after SIGTERM")
    assert code == 0, f"the scheduler should stop within {STOP_GRACE} s (exit code {code})"
    runs = current_session().scalars(select(SyncRun)).all()
    assert runs and all(run.status in ("ok", "partial", "failed") for run in runs)
    assert all(run.finished_at is not None for run in runs)
    held = select(SyncState).where(SyncState.running_until.is_not(None))
    assert current_session().scalars(held).all() == [], "every sync lease is released"
    assert len(runs) < STRUCTURES, "structures not started yet wait for the next start"


def test_a_job_stuck_on_a_silent_portal_does_not_hold_the_stop_past_the_grace(
    cluster_app: Flask, cluster_url: str, tmp_path: Path
) -> None:
    config = cluster_app.extensions["relais_config"]
    register_account(current_session(), StructureFactory(), "TECH_1@cpro.fr", "secret", None,
                     config=config)  # fmt: skip
    current_session().commit()
    log = tmp_path / "scheduler.log"
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        env = {
            "DATABASE_URL": cluster_url, "RELAIS_INSTANCE": str(tmp_path / "instance"),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}",
            "PORTAL_TIMEOUT": "60", "CREDENTIALS_KEY": config.credentials_key,
            "SYNC_POLL_SECONDS": "1", "SITE_DIR": str(tmp_path / "site"), "PUSH_TRANSPORT": "log",
        }  # fmt: skip
        scheduler = relais(["scheduler"], env, log)
        try:
            assert wait_for(lambda: runs_started() >= 1, 40), "the sync should be under way"
        finally:
            code, seconds = stop_within_grace(scheduler)
    print(f"\nscheduler stopped {seconds:.1f} s after SIGTERM, a portal call still waiting")
    assert code == 0, f"the scheduler should stop within {STOP_GRACE} s (exit code {code})"
    assert "still running" in log.read_text()
