"""A web server started as in production (`python -m backend.serve`), the peak RSS of its
workers; or gunicorn with the settings it had before (`bench/gunicorn.conf.py`), to compare."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from bench.cpu import descendants

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / "bench" / "data"
GUNICORN_CONF = ROOT / "bench" / "gunicorn.conf.py"


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def status_kib(pid: int, key: str = "VmRSS") -> int:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM), in KiB; 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """The web server as in production; environment overrides per run."""

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        label: str,
        app: str = "backend.wsgi:app",
        probe: str = "/healthz",
    ) -> None:
        self.port = port
        self.env = env
        self.label = label
        self.app = env.get("BENCH_WSGI_APP", app)
        self.probe = probe
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kib = 0
        self.worker_pids: set[int] = set()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    @property
    def kind(self) -> str:
        return self.env.get("BENCH_SERVER", "granian")

    def command(self, env: dict[str, str]) -> list[str]:
        """The production server and its settings (`backend/serve.py`: granian), or gunicorn
        with the settings it had in production, for the server comparison
        (`BENCH_SERVER=gunicorn`, `WEB_WORKER_CLASS`)."""
        if self.kind == "gunicorn":
            return [str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), self.app]
        return [sys.executable, "-m", "backend.serve", self.app]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        env = os.environ | self.env | {"HOST": "127.0.0.1", "PORT": str(self.port)}
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{self.kind}-{self.label}.log").open("wb")
        self.proc = subprocess.Popen(self.command(env), cwd=ROOT, env=env, stdout=log, stderr=log)
        self._wait_ready()
        self._sampler.start()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited; see bench/data/{self.kind}-{self.label}.log")
            try:
                if httpx.get(self.base + self.probe, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.kind} did not become ready in 60 s")

    def _sample(self) -> None:
        """Peak resident memory of any one worker (workers may be replaced: gunicorn's
        max_requests, granian's respawn)."""
        assert self.proc is not None
        while not self._stop.is_set():
            for pid in descendants(self.proc.pid):
                self.worker_pids.add(pid)
                self.peak_rss_kib = max(self.peak_rss_kib, status_kib(pid))
            self._stop.wait(0.5)

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        reap(self.proc)

    @property
    def pids(self) -> list[int]:
        """The server's main process (its workers are below it)."""
        return [self.proc.pid] if self.proc else []

    def summary(self) -> dict[str, Any]:
        return {
            "peak_worker_rss_mib": round(self.peak_rss_kib / 1024, 1),
            "workers_seen": len(self.worker_pids),
        }


def reap(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Wait for a process told to stop; kill it if it has not within `timeout` seconds."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
