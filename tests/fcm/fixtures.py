"""Fixtures for tests/fcm and tests/push_delivery (a plugin loaded by tests/conftest.py).

A loopback FCM HTTP v1 server, and FirebaseTransports wired to it.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.firebase import FirebaseTransport
from tests.fcm.fcm_server import FcmServer

TransportFactory = Callable[..., FirebaseTransport]

# httpcore runs `import sniffio` on every request. When sniffio is not installed (anyio 4.x no
# longer pulls it in) each failed import walks sys.path through pytest's assertion-rewriting
# hook: ~6,000 failed imports per 500 sends, which took a 1,200-message test from ~8 s to
# ~35 s. Recording the absence once makes the very same ImportError instant.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]


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
        options.setdefault("timeout_seconds", 10.0)
        options.setdefault("project_id", fcm_server.project_id)
        with fcm_server.trusted_by_new_clients():
            transport = FirebaseTransport(
                credentials_path=service_account_file,
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
