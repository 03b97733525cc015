"""The web server's access log, as `make run` and production write it, holds no secret.

The real server (`python -m backend.serve`, granian) on a free loopback port, on a SQLite
file of its own: e-mailed links carry tokens in their query string or, for the one-click
unsubscribe, in their path; requests carry bearer tokens in a header.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from backend.migrate import upgrade
from tests.mail.smtp import free_port

pytestmark = pytest.mark.nodb

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("SECRET123", "SECRET456", "SECRET789", "b2S1n4t0r3_Dm9Lq-x7KpZyTzY0w")
UNSUBSCRIBE = "/api/v1/newsletter/unsubscribe/WzEyLDBd.Z3x1aQ.b2S1n4t0r3_Dm9Lq-x7KpZyTzY0w"
UNSUBSCRIBED = "/api/v1/newsletter/unsubscribe/"  # its line in the log, token cut
# Every atom that could hold one, as an operator might configure it.
GREEDY = (
    "%(method)s %(path)s %(protocol)s %(path)s %(query_string)s %(header{referer})s"
    " %(header{authorization})s %(header{x-api-key})s %(header{cookie})s"
)


def _server(tmp_path: Path, log_format: str = "") -> Iterator[tuple[str, Path]]:
    """The production server on loopback until it answers; stopped afterwards."""
    url = f"sqlite:///{tmp_path / 'relais.db'}"
    upgrade(url)
    port, log = free_port(), tmp_path / "access.log"
    env = {
        **os.environ, "RELAIS_INSTANCE": str(tmp_path), "DATABASE_URL": url, "HOST": "127.0.0.1",
        "PORT": str(port), "WEB_WORKERS": "1", "WEB_ACCESS_LOG": str(log),
        "WEB_ACCESS_LOG_FORMAT": log_format, "SITE_DIR": str(tmp_path / "site"),
    }  # fmt: skip
    with (tmp_path / "server.log").open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "backend.serve"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(base):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        yield base, log
    finally:
        server.terminate()
        server.wait(30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _lines(log: Path, ready: Callable[[list[str]], bool]) -> list[str]:
    """The access log's lines once `ready` holds (gunicorn writes after answering, and a
    start-up probe that timed out under load may be written late, in any order)."""
    deadline = time.monotonic() + 60
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = log.read_text().splitlines() if log.exists() else []
        if ready(lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"access log incomplete: {lines}")


def _send_secrets(base: str) -> None:
    referer = f"{base}/formations/inscription/annuler/?jeton=SECRET456"
    headers = {"Authorization": "Bearer SECRET789", "Referer": referer}
    assert httpx.get(f"{base}/healthz?jeton=SECRET123", headers=headers).status_code == 200
    answer = httpx.post(f"{base}{UNSUBSCRIBE}", headers=headers)
    assert answer.status_code == 400, answer.text  # a token of the right shape, not ours


@pytest.fixture
def default_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    yield from _server(tmp_path)


@pytest.fixture
def greedy_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    yield from _server(tmp_path, GREEDY)


def test_access_log_writes_paths_without_query_strings_or_tokens(
    default_server: tuple[str, Path],
) -> None:
    base, log = default_server
    _send_secrets(base)
    lines = _lines(log, lambda lines: any(UNSUBSCRIBED in line for line in lines))
    unsubscribed = [line for line in lines if UNSUBSCRIBED in line]
    assert len(unsubscribed) == 1, lines
    assert '"POST /api/v1/newsletter/unsubscribe/… HTTP/1.1" 400 ' in unsubscribed[0], lines
    # The rest: the start-up probes and the request carrying secrets, without its query.
    others = [line for line in lines if UNSUBSCRIBED not in line]
    assert others and all('"GET /healthz HTTP/1.1" 200' in line for line in others), lines
    assert not [line for line in lines if "?" in line], lines
    assert not [secret for secret in SECRETS if secret in log.read_text()]


def test_no_format_can_bring_secrets_back(greedy_server: tuple[str, Path]) -> None:
    base, log = greedy_server
    _send_secrets(base)

    def referred(lines: list[str]) -> list[str]:
        # Only the request carrying secrets sent a referrer to /healthz (probes send none).
        return [line for line in lines if line.startswith("GET /healthz HTTP/1.1 /healthz - ")
                and "/formations/inscription/annuler/ - - -" in line]  # fmt: skip

    lines = _lines(log, lambda lines: bool(referred(lines)))
    assert len(referred(lines)) == 1, lines
    assert not [secret for secret in SECRETS if secret in log.read_text()]
