"""A private PostgreSQL cluster the tests restart, a fresh database on it per test, and an app.

These tests bring their own server, so they run once, on the SQLite pass (`nodb`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from backend import create_app
from backend.config import Config
from backend.db import db
from backend.migrate import upgrade
from tests.pgcluster import PgCluster, Unavailable

TEMPLATE = "relais_template"
# What `run-all` gives its children between SIGTERM and SIGKILL (backend/runner.py).
STOP_GRACE = 15


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One cluster for the session, with a migrated template database."""
    try:
        cluster = PgCluster()
    except Unavailable as exc:
        pytest.skip(f"no private PostgreSQL cluster: {exc}")
    try:
        cluster.start()
        cluster.execute(f'CREATE DATABASE "{TEMPLATE}"')
        upgrade(cluster.url(TEMPLATE))
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def cluster_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh migrated database on the private cluster, dropped afterwards."""
    name = f"relais_{uuid.uuid4().hex[:10]}"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    yield pg_cluster.url(name)
    if not (pg_cluster.data / "postmaster.pid").exists():
        pg_cluster.start()
    pg_cluster.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def cluster_app(cluster_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The application on that database, inside an app context."""
    config = Config(
        instance_path=str(tmp_path / "instance"),
        database_url=cluster_url,
        secret_key="test-secret-key-not-for-production-0123456789",
        testing=True,
    ).resolved()
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def forget_connections() -> None:
    """Drop the test's own pooled connections (after a restart they are dead)."""
    db.session.remove()
    db.engine.dispose()


def relais(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A `relais …` command as its own process, its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "backend.cli", *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; its last value (falsy on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)


def stop_within_grace(process: subprocess.Popen[bytes]) -> tuple[int | None, float]:
    """SIGTERM, then how it ended within run-all's grace: (return code or None, seconds)."""
    started = time.monotonic()
    process.terminate()
    try:
        code: int | None = process.wait(STOP_GRACE)
    except subprocess.TimeoutExpired:
        code = None
        process.kill()
        process.wait()
    return code, time.monotonic() - started
