"""One active scheduler at a time; each job occurrence runs once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from backend.db import current_session, utcnow
from backend.scheduler import lease
from backend.scheduler.models import JobRun
from backend.scheduler.process import JobContext, JobSpec, Leadership, run_job

TTL = dt.timedelta(seconds=30)


def test_the_lease_has_one_holder_until_it_expires(app_ctx: Flask) -> None:
    session = current_session()
    now = utcnow()
    assert lease.try_acquire(session, "a", TTL, now)
    assert not lease.try_acquire(session, "b", TTL, now + dt.timedelta(seconds=10))
    assert lease.try_acquire(session, "a", TTL, now + dt.timedelta(seconds=10))  # renewal
    assert lease.try_acquire(session, "b", TTL, now + dt.timedelta(seconds=41))  # expired
    assert not lease.try_acquire(session, "a", TTL, now + dt.timedelta(seconds=42))
    lease.release(session, "b")
    assert lease.try_acquire(session, "a", TTL)


def test_an_occurrence_runs_once_even_with_two_active_runners(app_ctx: Flask) -> None:
    calls: list[str] = []
    spec = JobSpec("test-job", lambda ctx: calls.append("run"), seconds=3600)
    until = utcnow() + TTL
    run_job(app_ctx, spec, Leadership("a", TTL, until))
    run_job(app_ctx, spec, Leadership("b", TTL, until))  # same hour slot: skipped
    assert calls == ["run"]
    rows = current_session().scalars(select(JobRun)).all()
    assert [(r.holder, r.ok) for r in rows] == [("a", True)]


def test_a_standby_never_runs_jobs(app_ctx: Flask) -> None:
    calls: list[JobContext] = []
    run_job(app_ctx, JobSpec("x", calls.append, 1), Leadership("standby", TTL, None))
    assert calls == []


def test_a_failing_job_is_recorded(app_ctx: Flask) -> None:
    def boom(ctx: JobContext) -> None:
        raise RuntimeError("portail injoignable")

    run_job(app_ctx, JobSpec("boom", boom, 3600), Leadership("a", TTL, utcnow() + TTL))
    row = current_session().scalars(select(JobRun)).one()
    assert row.ok is False and "portail injoignable" in (row.error or "")


def _start(database_url: str, instance: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RELAIS_INSTANCE": str(instance),
        "SCHEDULER_HEARTBEAT_SECONDS": "1",
        "SCHEDULER_LEASE_SECONDS": "3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _heartbeats(app: Flask) -> list[JobRun]:
    with app.app_context():
        query = select(JobRun).where(JobRun.job_id == "scheduler-heartbeat").order_by(JobRun.slot)
        return list(current_session().scalars(query))


def _wait_for(condition, timeout: float = 40):  # type: ignore[no-untyped-def]
    """Poll until the condition returns something truthy (processes start slowly under load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    return condition()


def test_two_scheduler_processes_run_each_occurrence_once(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    first = _start(database_url, tmp_path)
    second = _start(database_url, tmp_path)
    try:
        before = _wait_for(lambda: (rows := _heartbeats(app)) and len(rows) >= 4 and rows)
        holders = {r.holder for r in before}
        assert before, "the active scheduler should beat every second"
        assert len(holders) == 1, f"two schedulers ran jobs at once: {holders}"
        leader_pid = int(next(iter(holders)).split(":")[1])
        leader, standby = (first, second) if leader_pid == first.pid else (second, first)
        leader.send_signal(signal.SIGKILL)  # a crash: the lease is not released
        leader.wait(5)
        after = _wait_for(
            lambda: (
                (rows := _heartbeats(app)) and any(r.holder not in holders for r in rows) and rows
            )
        )
        assert after, "the standby should take over once the lease expired"
        new = [r for r in after if r.holder not in holders]
        assert new, "the standby should take over once the lease expired"
        assert {int(r.holder.split(":")[1]) for r in new} == {standby.pid}
        slots = [r.slot for r in after]
        assert len(slots) == len(set(slots))
        assert max(r.slot for r in before) < min(r.slot for r in new)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(15)
    assert second.returncode is not None and first.returncode is not None
