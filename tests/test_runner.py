"""`make run`'s orchestrator: everything starts on loopback, and one signal stops it all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.nodb


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_all_serves_the_demo_and_stops_every_process(tmp_path: Path) -> None:
    web, sandbox = _free_port(), _free_port()
    env = {
        **os.environ, "RELAIS_INSTANCE": str(tmp_path), "RELAIS_DEMO": "1", "PORT": str(web),
        "SANDBOX_PORT": str(sandbox), "PORTAL_BASE_URL": f"http://127.0.0.1:{sandbox}",
        "SITE_DIR": str(tmp_path / "site"), "RELAIS_SITE_PDF": "0", "WEB_WORKERS": "1",
        "SYNC_INTERVAL_SECONDS": "15", "SYNC_POLL_SECONDS": "1",
    }  # fmt: skip
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "run-all"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and "Ctrl-C arrête tout" not in log.read_text():
            assert runner.poll() is None, log.read_text()
            time.sleep(0.5)
        banner = log.read_text()
        assert f"http://127.0.0.1:{web}/api/docs" in banner
        assert "demo@relais.example / demo" in banner
        while time.monotonic() < deadline and not _listening(web):
            time.sleep(0.3)
        base = f"http://127.0.0.1:{web}"
        assert httpx.get(f"{base}/readyz", timeout=10).status_code == 200
        login = {"email": "demo@relais.example", "password": "demo"}
        token = httpx.post(f"{base}/api/v1/auth/login", json=login, timeout=10).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        total = 0
        while time.monotonic() < deadline and not total:  # invoices arrive through the sync
            total = httpx.get(f"{base}/api/v1/invoices", headers=headers, timeout=10).json()[
                "total"
            ]
            time.sleep(1)
        assert total > 0, "the demo's invoices should come from the sandbox through the sync"
        assert httpx.get(f"{base}/", timeout=10).status_code == 200  # the community site
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.wait(60)
    assert "Tous les processus sont arrêtés." in log.read_text()
    assert not _listening(web) and not _listening(sandbox)
