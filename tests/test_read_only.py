"""Read-only views run without a transaction on PostgreSQL; everything else keeps one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from backend.accounts.models import Role
from backend.db import db
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import auth_headers


@pytest.fixture
def autocommit_seen(app_ctx: Flask) -> Iterator[list[tuple[str, bool]]]:
    """(statement, was the driver in autocommit) for every statement sent."""
    seen: list[tuple[str, bool]] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        driver = conn.connection.dbapi_connection
        seen.append((statement.split()[0], bool(getattr(driver, "autocommit", False))))

    event.listen(db.engine, "before_cursor_execute", spy)
    yield seen
    event.remove(db.engine, "before_cursor_execute", spy)


def test_invoice_reads_skip_begin_and_rollback_on_postgresql(
    client: FlaskClient, autocommit_seen: list[tuple[str, bool]]
) -> None:
    structure, recipient, user = StructureFactory(), RecipientFactory(), UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.MANAGER)
    invoice = make_invoice(structure, recipient, [("DEPOSEE", at(1))])
    headers = auth_headers(client, user.email)
    paths = ("/api/v1/invoices", f"/api/v1/invoices/{invoice.id}", "/api/v1/summary")
    autocommit_seen.clear()
    for path in paths:
        assert client.get(path, headers=headers).status_code == 200
    postgresql = db.engine.dialect.name == "postgresql"
    assert autocommit_seen and all(auto == postgresql for _, auto in autocommit_seen)
    # The connection goes back to the pool in transaction mode: a write is still atomic.
    autocommit_seen.clear()
    assert client.post("/api/v1/notifications/read-all", headers=headers).status_code == 204
    assert autocommit_seen and not any(auto for _, auto in autocommit_seen)
    # A GET that is not marked read-only keeps its transaction too.
    autocommit_seen.clear()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert autocommit_seen and not any(auto for _, auto in autocommit_seen)
