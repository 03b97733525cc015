"""A portal sandbox on loopback and a Relais structure registered against it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from backend.accounts.models import Structure
from backend.config import Config
from backend.db import current_session
from backend.portal import InvoiceSummary, PortalClient, RetryPolicy, TechnicalAccount
from backend.portal.sandbox import OAUTH_CLIENT, ManualClock, SandboxServer, create_sandbox_app
from backend.sync.accounts import register_account
from tests.factories import StructureFactory


@dataclass
class Portal:
    server: SandboxServer
    clock: ManualClock
    config: Config
    structure: Structure
    login: str
    password: str

    def client(self, attempts: int = 2) -> PortalClient:
        retry = RetryPolicy(
            attempts=attempts, initial_wait=0, max_wait=0, jitter=0, sleep=lambda s: None
        )
        account = TechnicalAccount(self.login, self.password)
        return PortalClient(
            self.server.environment, *OAUTH_CLIENT, account=account, retry=retry, timeout=5
        )

    def portal_view(self) -> dict[int, list[tuple[str, dt.datetime]]]:
        """Every invoice of the supplier and its history, as the portal tells it."""
        with self.client() as portal:
            return {
                summary.portal_id: [
                    (e.code, e.occurred_at)
                    for e in portal.invoice_history(summary.portal_id).events
                ]
                for summary in portal.iter_supplier_invoices()
                if isinstance(summary, InvoiceSummary)
            }


@pytest.fixture
def portal(request: pytest.FixtureRequest, app: Flask, app_ctx: Flask) -> Iterator[Portal]:
    """The sandbox in today's spelling; `indirect` parametrization asks for "legacy" too."""
    clock = ManualClock(dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5))
    wire = getattr(request, "param", "current")
    app_ = create_sandbox_app(None, seed=11, clock=clock, invoices=45, wire=wire)
    server = SandboxServer(app_).start()
    row = server.app.sandbox.accounts()[0]
    config = dataclasses.replace(app.extensions["relais_config"], portal_base_url=server.url)
    structure = StructureFactory(siret=str(row["siret"]), name=str(row["name"]))
    register_account(
        current_session(), structure, str(row["login"]), str(row["password"]),
        dt.date.fromisoformat(str(row["password_expires_on"])), config=config,
    )  # fmt: skip
    current_session().commit()
    yield Portal(server, clock, config, structure, str(row["login"]), str(row["password"]))
    server.stop()
