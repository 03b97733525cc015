"""The connection set-up, BEGIN and NOTIFY-at-commit act on the app's engine and session only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backend.db import db, notify_at_commit
from tests.conftest import sibling_app


@pytest.fixture
def other_engine(app_ctx: Flask) -> Iterator[Engine]:
    """An engine on the same database made outside `create_app`, as a test or a bench makes."""
    engine = create_engine(db.engine.url, poolclass=NullPool)
    yield engine
    engine.dispose()


@contextmanager
def _sent(engine: Engine) -> Iterator[list[str]]:
    """The statements engine sends inside the block."""
    sent: list[str] = []

    def spy(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", spy)


def test_sqlite_pragmas_and_immediate_begin_only_on_the_apps_engine(
    app_ctx: Flask, other_engine: Engine
) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's connection set-up")
    with (
        _sent(db.engine) as app_sent,
        _sent(other_engine) as other_sent,
        db.engine.begin() as mine,
        other_engine.begin() as theirs,
    ):
        assert mine.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert theirs.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    assert app_sent[0] == "BEGIN IMMEDIATE"
    assert not any(sql.startswith("BEGIN") for sql in other_sent)


@pytest.mark.postgres_only
def test_notify_at_commit_only_from_the_apps_session(
    app: Flask, app_ctx: Flask, tmp_path: Path
) -> None:
    with _sent(db.engine) as sent, sibling_app(app, tmp_path):  # two apps, one NOTIFY
        notify_at_commit(db.session, "relais_test")
        notify_at_commit(db.session, "relais_test")
        db.session.commit()
        with Session(db.engine) as plain:
            notify_at_commit(plain, "relais_test")
            plain.commit()
    assert sum("pg_notify" in sql for sql in sent) == 1
