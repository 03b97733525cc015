"""Sync workers on PostgreSQL: never two on one structure, a killed one loses nothing, and
the portal's quota holds for all of them together (counted at the sandbox)."""

from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from backend.accounts.models import Structure
from backend.db import current_session, db, utcnow
from backend.portal import PortalUnavailableError
from backend.portal.sandbox import ManualClock, SandboxServer, create_sandbox_app
from backend.sync.accounts import register_account
from backend.sync.models import SyncRun, SyncState
from backend.sync.quota import SharedQuota
from backend.sync.workers import app_sessions, worker_loop
from tests.factories import StructureFactory
from tests.resilience.conftest import wait_for
from tests.sync.conftest import Portal
from tests.sync.test_sync import by_time, relais_view

pytestmark = pytest.mark.postgres_only


def _structures(portal: Portal) -> list[Structure]:
    """One Relais structure per sandbox supplier (three), due now."""
    structures = []
    for row in portal.server.app.sandbox.accounts():
        structure = current_session().scalar(
            select(Structure).where(Structure.siret == str(row["siret"]))
        ) or StructureFactory(siret=str(row["siret"]), name=str(row["name"]))
        register_account(
            current_session(), structure, str(row["login"]), str(row["password"]), None,
            config=portal.config,
        )  # fmt: skip
        structures.append(structure)
    current_session().commit()
    return structures


def _runs() -> list[SyncRun]:
    runs = list(current_session().scalars(select(SyncRun).order_by(SyncRun.started_at)))
    db.session.commit()  # never hold a transaction while the workers write
    return runs


def test_two_workers_never_sync_the_same_structure_at_once(portal: Portal, app: Flask) -> None:
    portal.server.app.sandbox.faults.slow_answer(0.01)
    structures = _structures(portal)
    # Due again a second after each run: the workers keep competing for the same three.
    current_session().execute(update(SyncState).values(interval_seconds=1))
    current_session().commit()
    config = dataclasses.replace(portal.config, sync_jitter_seconds=0, sync_poll_seconds=0.1)
    stop = threading.Event()
    threads = [
        threading.Thread(target=worker_loop(app_sessions(app), config, stop, f"worker-{w}"))
        for w in range(2)
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    try:
        enough = wait_for(lambda: len([r for r in _runs() if r.finished_at]) >= 12, 120)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert enough, "the workers should have synced each structure several times"
    runs = _runs()
    assert {run.structure_id for run in runs} == {s.id for s in structures}
    for structure in structures:
        mine = [run for run in runs if run.structure_id == structure.id]
        for before, after in itertools.pairwise(mine):
            assert before.finished_at is not None and before.finished_at <= after.started_at
    assert all(run.status in ("ok", "partial", "failed") for run in runs)
    held = select(SyncState).where(SyncState.running_until.is_not(None))
    assert current_session().scalars(held).all() == [], "every lease is given back"


def _worker(portal: Portal, database_url: str, tmp_path: Path, name: str) -> subprocess.Popen:
    env = {
        **os.environ, "DATABASE_URL": database_url, "RELAIS_INSTANCE": str(tmp_path / name),
        "PORTAL_BASE_URL": portal.server.url, "CREDENTIALS_KEY": portal.config.credentials_key,
        "SYNC_WORKERS": "external", "SYNC_WORKER_CONCURRENCY": "1", "SYNC_POLL_SECONDS": "0.2",
        "SYNC_LEASE_SECONDS": "4", "SITE_DIR": str(tmp_path / "site"), "PUSH_TRANSPORT": "log",
    }  # fmt: skip
    return _spawn(env, tmp_path / f"{name}.log")


def _spawn(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`relais sync-worker` as its own process, its output in `log_path`."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "sync-worker"], env=env, stdout=log, stderr=log
        )


def _recorded(structure_id: int) -> int:
    """Invoices of the structure in Relais (no transaction left open)."""
    count = len(relais_view(structure_id))
    db.session.commit()
    return count


def test_a_worker_killed_mid_walk_loses_nothing_and_another_resumes_after_the_lease(
    portal: Portal, database_url: str, tmp_path: Path
) -> None:
    portal.server.app.sandbox.faults.slow_answer(0.08)  # each call slow: a run lasts seconds
    structure_id = portal.structure.id
    db.session.commit()
    first = _worker(portal, database_url, tmp_path, "first")
    try:
        assert wait_for(lambda: _recorded(structure_id) >= 5, 60), "the walk should be under way"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    killed = current_session().get(SyncState, structure_id)
    assert killed is not None and killed.running_until is not None
    lease_end = killed.running_until
    assert 0 < _recorded(structure_id) < len(portal.portal_view()), "killed mid-walk"
    second = _worker(portal, database_url, tmp_path, "second")
    try:
        done = wait_for(lambda: [r for r in _runs() if r.status == "ok"], 90)
    finally:
        second.terminate()
        second.wait(20)
    assert done, "another worker should finish the structure"
    runs = _runs()
    assert [run.status for run in runs] == ["failed", "ok"]
    assert "interrompue" in (runs[0].error or "")
    assert runs[1].started_at >= lease_end, "taken over only once the lease ran out"
    assert relais_view(structure_id) == by_time(portal.portal_view())  # no loss, no duplicate


@pytest.fixture
def busy_portal(app: Flask, app_ctx: Flask) -> Iterator[Portal]:
    """A sandbox of 600 invoices: hundreds of calls for its three suppliers' first syncs."""
    server = SandboxServer(create_sandbox_app(None, seed=7, invoices=600)).start()
    config = dataclasses.replace(app.extensions["relais_config"], portal_base_url=server.url)
    row = server.app.sandbox.accounts()[0]
    structure = StructureFactory(siret=str(row["siret"]), name=str(row["name"]))
    current_session().commit()
    clock = ManualClock(utcnow())
    yield Portal(server, clock, config, structure, str(row["login"]), str(row["password"]))
    server.stop()


@pytest.fixture
def quota_workers(
    busy_portal: Portal, database_url: str, tmp_path: Path
) -> Iterator[tuple[list[subprocess.Popen], int, int]]:
    """Two worker processes of four threads under a shared limit of 8 calls/s, burst 2."""
    rate, burst = 8, 2
    portal = busy_portal
    _structures(portal)
    db.session.commit()
    procs = []
    for n in range(2):
        env = {
            **os.environ, "DATABASE_URL": database_url, "RELAIS_INSTANCE": str(tmp_path / str(n)),
            "PORTAL_BASE_URL": portal.server.url,
            "CREDENTIALS_KEY": portal.config.credentials_key, "SYNC_WORKERS": "external",
            "SYNC_WORKER_CONCURRENCY": "4", "SYNC_POLL_SECONDS": "0.2",
            "PORTAL_RATE_LIMIT": str(rate), "PORTAL_RATE_BURST": str(burst),
            "SITE_DIR": str(tmp_path / "site"), "PUSH_TRANSPORT": "log",
        }  # fmt: skip
        procs.append(_spawn(env, tmp_path / f"worker-{n}.log"))
    yield procs, rate, burst
    for proc in procs:
        proc.terminate()
        proc.wait(20)


def test_workers_together_stay_within_the_portal_quota(
    busy_portal: Portal, quota_workers: tuple[list[subprocess.Popen], int, int]
) -> None:
    _procs, rate, burst = quota_workers
    sandbox = busy_portal.server.app.sandbox
    assert wait_for(lambda: len(sandbox.calls_since()) >= 80, 120), "the workers should call"
    per_second = Counter(int(arrived) for arrived, _status in sandbox.calls_since())
    # A token bucket lets `burst` calls through at once on top of `rate` per second.
    assert max(per_second.values()) <= rate + burst, sorted(per_second.items())


def test_a_429_pauses_every_worker_for_its_retry_after(
    busy_portal: Portal, quota_workers: tuple[list[subprocess.Popen], int, int]
) -> None:
    sandbox = busy_portal.server.app.sandbox
    assert wait_for(lambda: len(sandbox.calls_since()) >= 10, 120), "the workers should call"
    sandbox.faults.rate_limit_next(1, retry_after=3)
    assert wait_for(lambda: [c for c in sandbox.calls_since() if c[1] == 429], 30)
    limited_at = next(arrived for arrived, status in sandbox.calls_since() if status == 429)
    assert wait_for(lambda: len(sandbox.calls_since(limited_at)) >= 5, 60)
    after = [arrived for arrived, _ in sandbox.calls_since(limited_at)][1:]
    # Calls already on their way may land just after the 429; none starts later, for 3 s.
    in_flight = [at for at in after if at - limited_at < 0.2]
    assert len(in_flight) <= 8
    assert all(at - limited_at >= 2.9 for at in after[len(in_flight) :])


def test_a_portal_that_keeps_failing_opens_the_circuit_for_every_process(app_ctx: Flask) -> None:
    engine = db.engine
    quota = SharedQuota(engine, rate=0, burst=1, circuit_seconds=60)
    other = SharedQuota(engine, rate=0, burst=1, circuit_seconds=60)  # another process's
    quota.before_call()
    for _ in range(5):
        quota.after_call(503, None)
    with pytest.raises(PortalUnavailableError, match="suspendus"):
        other.before_call()
    assert other.pause_left() > 50
