"""The scheduler process restarts a loop thread that died, and stops promptly on SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.migrate import upgrade
from tests.resilience.conftest import STOP_GRACE, stop_within_grace, wait_for
from tests.resilience.flaky_scheduler import CRASHES

pytestmark = pytest.mark.nodb


def test_a_loop_thread_that_dies_is_restarted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relais.db'}"
    upgrade(url)
    runs, log = tmp_path / "runs", tmp_path / "scheduler.log"
    env = {**os.environ, "DATABASE_URL": url, "RELAIS_INSTANCE": str(tmp_path)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.resilience.flaky_scheduler", str(runs)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        started = wait_for(lambda: runs.exists() and int(runs.read_text()) > CRASHES, 30)
        assert started, "the crashed loop should have been started again"
        assert process.poll() is None, "the scheduler itself keeps running"
    finally:
        code, seconds = stop_within_grace(process)
    print(f"\nscheduler stopped {seconds:.1f} s after SIGTERM")
    assert code == 0, f"the scheduler should stop within {STOP_GRACE} s (exit code {code})"
    text = log.read_text()
    assert text.count("RuntimeError: crash n° ") == CRASHES
    assert text.count("flaky-loop starts again") == CRASHES
