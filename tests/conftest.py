"""Fixtures shared by the whole suite: a migrated database, the app, a client, factories.

The same tests run on SQLite (default) and on PostgreSQL when RELAIS_TEST_DATABASE_URL
is set (`make test` does both when PostgreSQL is enabled).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from backend import create_app
from backend.accounts.auth import auth_cache
from backend.config import Config
from backend.db import Base, db
from backend.extensions import limiter
from backend.migrate import upgrade

PG_URL = os.environ.get("RELAIS_TEST_DATABASE_URL", "")
# The loopback FCM server and real-SDK transports, for tests/fcm and tests/push_delivery.
pytest_plugins = ["tests.fcm.fixtures"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, run only what depends on the database; on SQLite skip PG-only."""
    for item in items:
        if PG_URL and "nodb" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="runs once, on the SQLite pass"))
        if not PG_URL and "postgres_only" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (RELAIS_TEST_DATABASE_URL)"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database built by running the migrations."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("db") / "relais.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    admin_url = Config(database_url=PG_URL, instance_path=str(tmp_path_factory.mktemp("i")))
    admin_url = admin_url.resolved().database_url
    name = f"relais_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    config = Config(
        instance_path=str(tmp_path_factory.mktemp("instance")),
        database_url=database_url,
        secret_key="test-secret-key-not-for-production-0123456789",
        testing=True,
    ).resolved()
    app = create_app(config)
    yield app
    # Close the pool before the database is dropped: a connection left open would be
    # garbage-collected later and psycopg's ResourceWarning fails the run.
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables and fresh rate limits."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
        limiter.reset()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app
        db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own `g`, own session), as in production.

    Without this, requests made while a test holds an app context would share it.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # End the test's own transaction first: on SQLite a stale read snapshot
        # could not write after the request has written.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def sibling_app(app: Flask, instance: Path, **settings: Any) -> Iterator[Flask]:
    """Another application on the suite's database, as another worker would be.

    Its authentication cache, when on (PostgreSQL), is listening before it is handed out
    and closed afterwards.
    """
    config = Config(
        instance_path=str(instance),
        database_url=app.config["SQLALCHEMY_DATABASE_URI"],
        secret_key=app.config["SECRET_KEY"],
        testing=True,
        **settings,
    ).resolved()
    sibling = create_app(config)
    sibling.test_client_class = IsolatedClient
    with sibling.app_context():
        sessions = auth_cache()
        assert sessions is None or sessions.wait_ready(10)
    try:
        yield sibling
    finally:
        if sessions is not None:
            sessions.close()
        with sibling.app_context():
            db.engine.dispose()


@pytest.fixture
def client(app: Flask, app_ctx: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


class StatementCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.strip().upper() != "BEGIN":
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app_ctx: Flask) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


@pytest.fixture
def tmp_instance(tmp_path: Path) -> Path:
    return tmp_path
