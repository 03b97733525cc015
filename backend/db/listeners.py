"""How the app's connections and transactions behave, bound to its own engine and session.

`bind_app` is called by `create_app`: an engine or a session made elsewhere (a test's, a
benchmark's) keeps SQLAlchemy's defaults.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from backend.db.session import db

F = TypeVar("F")
READ_ONLY = "_relais_read_only"
# Execution option of a connection that only reads: on SQLite it never waits for the writer.
READING = "relais_reading"
_AUTOCOMMIT_READ = "relais_autocommit_read"
_NOTIFY = "relais_notify_at_commit"


def bind_app(app: Flask) -> None:
    """Bind the listeners to app's engine (before its first connection) and to `db.session`."""
    with app.app_context():
        bind_engine(db.engine)
    # `db.session` is shared by every app of the process: one listener serves them all.
    if not event.contains(db.session, "before_commit", _notify_before_commit):
        event.listen(db.session, "before_commit", _notify_before_commit)


def bind_engine(engine: Engine) -> None:
    """The connection set-up and the BEGIN of Relais' own engines (the app's, the migrations')."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _begin_postgresql)
        event.listen(engine, "checkin", _end_autocommit)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so the scheduler and the web server share the file; enforce foreign keys."""
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs work (SQLAlchemy's recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    """SQLite has one writer: a transaction that may write takes the lock up front.

    A deferred transaction that reads, then writes after another process committed, fails at
    once ("database is locked"); an IMMEDIATE one waits its turn (busy_timeout). Reads of web
    requests stay deferred, so they never wait.
    """
    reading = connection.get_execution_options().get(READING, False) or (
        has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
    )
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _begin_postgresql(connection: Any) -> None:
    """The requests of `read_only` views run in autocommit (no BEGIN, no ROLLBACK)."""
    if _read_only_request():
        pooled = connection.connection
        pooled.dbapi_connection.autocommit = True
        pooled.info[_AUTOCOMMIT_READ] = True


def _end_autocommit(dbapi_connection: Any, record: Any) -> None:
    """A connection lent to a read-only request goes back to transactions for its next user."""
    if record.info.pop(_AUTOCOMMIT_READ, False) and dbapi_connection is not None:
        dbapi_connection.autocommit = False


def read_only(func: F) -> F:
    """Mark a view method that never writes: on PostgreSQL its statements need no transaction.

    Under READ COMMITTED each statement already sees its own snapshot, so the BEGIN and the
    ROLLBACK around a read-only request are two round trips that buy nothing.
    """
    setattr(func, READ_ONLY, True)
    return func


def _read_only_request() -> bool:
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    target = getattr(view_class, "get", None) if view_class is not None else view
    return bool(getattr(target, READ_ONLY, False))


def notify_at_commit(session: Session, channel: str) -> None:
    """On PostgreSQL, NOTIFY channel when this transaction commits, once however often asked.

    The request is noted on the session and sent just before the commit (PostgreSQL delivers
    it at the commit). One left by a rolled-back transaction goes with the session's next
    commit: a NOTIFY only tells its listeners to look.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.info.setdefault(_NOTIFY, set()).add(channel)


def _notify_before_commit(session: Session) -> None:
    for channel in sorted(session.info.pop(_NOTIFY, ())):
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})
