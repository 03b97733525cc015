"""Fixtures: a loopback FCM HTTP v1 server and FirebaseTransports wired to it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.firebase import FirebaseTransport
from tests.fcm.fcm_server import FcmServer

TransportFactory = Callable[..., FirebaseTransport]


@pytest.fixture
def fcm_server() -> Iterator[FcmServer]:
    """A fresh FCM + OAuth2 server on 127.0.0.1 (its own RSA service-account key)."""
    server = FcmServer().start()
    yield server
    server.stop()


@pytest.fixture
def service_account_file(fcm_server: FcmServer, tmp_path: Path) -> Path:
    """A service-account JSON whose token_uri points at the loopback server."""
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(fcm_server.service_account_info()), encoding="utf-8")
    return path


@pytest.fixture
def make_firebase_transport(
    fcm_server: FcmServer, service_account_file: Path
) -> Iterator[TransportFactory]:
    """Build FirebaseTransports on the real SDK aimed at the loopback server; closes them."""
    created: list[FirebaseTransport] = []

    def make(**options: Any) -> FirebaseTransport:
        options.setdefault("timeout_seconds", 5.0)
        transport = FirebaseTransport(
            fcm_server.project_id,
            service_account_file,
            fcm_base_url=fcm_server.base_url,
            **options,
        )
        created.append(transport)
        return transport

    yield make
    for transport in created:
        transport.close()


@pytest.fixture
def firebase_transport(make_firebase_transport: TransportFactory) -> FirebaseTransport:
    """A FirebaseTransport with default options, talking to `fcm_server`."""
    return make_firebase_transport()
