"""`make run`'s orchestrator: everything starts on loopback, and one signal stops it all.

Real processes on a real SQLite file: a returning user starts Relais a second time on the
same instance folder, which no in-process test can show.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.nodb

LOGIN = {"email": "demo@relais.example", "password": "demo"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _environment(instance: Path, web: int, sandbox: int, **extra: str) -> dict[str, str]:
    # PORTAL_BASE_URL is not given: it must follow SANDBOX_PORT by itself.
    env = {
        **os.environ, "RELAIS_INSTANCE": str(instance), "RELAIS_DEMO": "1", "PORT": str(web),
        "SANDBOX_PORT": str(sandbox), "SITE_DIR": str(instance / "site"), "RELAIS_SITE_PDF": "0",
        "WEB_WORKERS": "2", "SYNC_INTERVAL_SECONDS": "15", "SYNC_POLL_SECONDS": "1", **extra,
    }  # fmt: skip
    for name in ("PORTAL_BASE_URL", "PUBLIC_BASE_URL", "DATABASE_URL"):
        env.pop(name, None)
    return env


@contextmanager
def _run_all(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`relais run-all` until its banner and its web port answer; SIGTERM when done."""
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "run-all"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and "Ctrl-C arrête tout" not in log.read_text():
            assert runner.poll() is None, log.read_text()
            time.sleep(0.5)
        while time.monotonic() < deadline and not _listening(int(env["PORT"])):
            time.sleep(0.3)
        yield runner
    finally:
        if runner.poll() is None:
            runner.send_signal(signal.SIGTERM)
        runner.wait(60)


def _login(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json=LOGIN, timeout=60)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _write_lock_free(database: Path) -> bool:
    """Another program takes SQLite's write lock without waiting (busy_timeout 0).

    Relais' processes write now and then (leases, syncs), so one attempt may meet a write in
    progress; a lock held by an idle transaction fails every attempt."""
    for _ in range(40):
        connection = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            connection.execute("PRAGMA busy_timeout=0")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("COMMIT")
            return True
        except sqlite3.OperationalError:
            time.sleep(0.25)
        finally:
            connection.close()
    return False


def test_run_all_serves_the_demo_and_stops_every_process(tmp_path: Path) -> None:
    web, sandbox = _free_port(), _free_port()
    log = tmp_path / "run.log"
    with _run_all(_environment(tmp_path, web, sandbox), log):
        banner = log.read_text()
        assert f"http://127.0.0.1:{web}/api/docs" in banner
        assert f"http://127.0.0.1:{sandbox}" in banner  # the sandbox's port, followed
        assert "demo@relais.example / demo" in banner
        base = f"http://127.0.0.1:{web}"
        assert httpx.get(f"{base}/readyz", timeout=60).status_code == 200
        headers = _login(base)
        total, deadline = 0, time.monotonic() + 120
        while time.monotonic() < deadline and not total:  # invoices arrive through the sync
            answer = httpx.get(f"{base}/api/v1/invoices", headers=headers, timeout=60)
            total = answer.json()["total"]
            time.sleep(1)
        assert total > 0, "the demo's invoices should come from the sandbox through the sync"
        assert httpx.get(f"{base}/", timeout=60).status_code == 200  # the community site
    assert "Tous les processus sont arrêtés." in log.read_text()
    assert not _listening(web) and not _listening(sandbox)


def test_a_second_start_on_the_same_instance_works_and_holds_no_lock(tmp_path: Path) -> None:
    """The returning user: start, stop, start again on the same files, log in."""
    web, sandbox = _free_port(), _free_port()
    env = _environment(tmp_path, web, sandbox)
    base = f"http://127.0.0.1:{web}"
    with _run_all(env, tmp_path / "first.log"):
        _login(base)
    log = tmp_path / "second.log"
    with _run_all(env, log) as runner:
        assert "Données de démonstration créées" not in log.read_text()
        headers = _login(base)
        answer = httpx.get(f"{base}/api/v1/invoices", headers=headers, timeout=60)
        assert answer.status_code == 200 and answer.json()["total"] > 0
        assert _write_lock_free(tmp_path / "relais.db"), "a process holds SQLite's write lock"
        children = _descendants(runner.pid)
        assert len(children) >= 4  # sandbox, the web server and its workers, scheduler
    assert runner.returncode == 0, log.read_text()
    assert [pid for pid in children if _alive(pid)] == []
    assert "Tous les processus sont arrêtés." in log.read_text()
