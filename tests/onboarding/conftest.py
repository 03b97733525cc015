"""A portal sandbox on loopback that the app talks to, logged-in people, the mail inbox."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from backend.accounts.models import User
from backend.accounts.service import start_session
from backend.config import Config
from backend.db import db
from backend.portal.sandbox import SandboxServer, create_sandbox_app
from backend.portal.sandbox.core import Sandbox
from tests.mail.smtp import inbox, smtp_server

__all__ = ["inbox", "smtp_server"]


@dataclass
class Portal:
    server: SandboxServer
    config: Config

    @property
    def sandbox(self) -> Sandbox:
        return self.server.app.sandbox

    def supplier(self, index: int = 0) -> dict[str, Any]:
        return self.sandbox.accounts()[index]

    def case(self, name: str) -> dict[str, Any]:
        return self.sandbox.cases()[name]

    def body(self, account: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """What a person types to add the account's structure."""
        found = {"siret": account["siret"], "login": account["login"]}
        return found | {"password": account["password"]} | changes


@contextmanager
def portal_for(app: Flask, invoices: int = 30) -> Iterator[Portal]:
    """A sandbox whose history stopped two days ago (older than PUSH_MAX_AGE), and the app's
    configuration pointing at it for the duration."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    sandbox = create_sandbox_app(
        None, seed=17, invoices=invoices, seeded_until=now - dt.timedelta(days=2)
    )
    server = SandboxServer(sandbox).start()
    original = app.extensions["relais_config"]
    config = dataclasses.replace(original, portal_base_url=server.url)
    app.extensions["relais_config"] = config
    try:
        yield Portal(server, config)
    finally:
        app.extensions["relais_config"] = original
        server.stop()


@pytest.fixture
def portal(app: Flask, app_ctx: Flask) -> Iterator[Portal]:
    with portal_for(app) as found:
        yield found


def bearer(app: Flask, user: User) -> dict[str, str]:
    """A login session opened directly (login itself is tested elsewhere)."""
    pair = start_session(db.session, user, config=app.extensions["relais_config"])
    db.session.commit()
    return {"Authorization": f"Bearer {pair.access_token}"}
