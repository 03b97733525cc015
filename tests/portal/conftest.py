"""Fixtures: a sandbox portal on loopback (port 0) and clients with tiny retry waits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backend.portal import PortalClient, RetryPolicy, TechnicalAccount
from backend.portal.sandbox import OAUTH_CLIENT, ManualClock, SandboxServer, create_sandbox_app

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class SleepRecorder:
    """Stands in for time.sleep in the retry policy: remembers the waits, waits for nothing."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make_server(clock: ManualClock) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes on loopback; every one is stopped after the test."""
    started: list[SandboxServer] = []

    def make(invoices: int = 60, seed: int = 7, **options: Any) -> SandboxServer:
        app = create_sandbox_app(None, seed=seed, clock=clock, invoices=invoices, **options)
        server = SandboxServer(app).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server: Callable[..., SandboxServer]) -> SandboxServer:
    return make_server()


def account(server: SandboxServer, index: int = 0) -> TechnicalAccount:
    row = server.app.sandbox.accounts()[index]
    return TechnicalAccount(str(row["login"]), str(row["password"]))


@pytest.fixture
def make_client(clock: ManualClock, sleeps: SleepRecorder) -> Iterator[Callable[..., PortalClient]]:
    """Clients for a sandbox, with the first supplier's account and millisecond backoff."""
    made: list[PortalClient] = []

    def make(server: SandboxServer, *, attempts: int = 3, **options: Any) -> PortalClient:
        options.setdefault("account", account(server))
        options.setdefault("timeout", 2.0)
        secret = options.pop("client_secret", OAUTH_CLIENT[1])
        policy = RetryPolicy(
            attempts=attempts, initial_wait=0.001, max_wait=0.01, jitter=0.001, sleep=sleeps
        )
        client = PortalClient(
            server.environment, OAUTH_CLIENT[0], secret, retry=policy, clock=clock, **options
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., PortalClient], server: SandboxServer) -> PortalClient:
    return make_client(server)
