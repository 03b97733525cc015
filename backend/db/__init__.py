"""Declarative base, column aliases and database helpers shared by every domain."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from flask import current_app, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    event,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, registry
from sqlalchemy.pool import Pool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes stored as UTC, also on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigId, primary_key=True)]
money = Annotated[Decimal, mapped_column(Numeric(14, 2))]
utc_datetime = Annotated[dt.datetime, mapped_column(UTCDateTime())]
str_short = Annotated[str, mapped_column(String(120))]


class Base(DeclarativeBase):
    """Base of every model; the naming convention keeps Alembic names stable."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={int: BigId},
    )


F = TypeVar("F")
db = SQLAlchemy(model_class=Base, disable_autonaming=True)


def current_session() -> Session:
    """The session of the current app context (the object behind `db.session`)."""
    return db.session()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction on the app context's session that always ends.

    Committed when the block succeeds, rolled back when it raises, and the session closed
    either way: its connection goes back to the pool and no lock outlives the block. A
    long-lived process (`run-all`, the scheduler, a CLI command) holds a transaction only
    inside such a block; on SQLite an idle transaction that took the write lock would block
    every other process for as long as it lives.
    """
    session = current_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT of the database in use (PostgreSQL or SQLite)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_ignoring_conflicts(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT rows, silently skipping those that hit a unique constraint; return how many landed."""
    if not rows:
        return 0
    insert = dialect_insert(session.get_bind().dialect.name)
    # RETURNING, not rowcount: drivers do not all report rowcount for this statement.
    stmt = insert(table).values(rows).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(session.execute(stmt).all())


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL so the scheduler and the web server share the file; enforce foreign keys."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so SAVEPOINTs work (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


READ_ONLY = "_relais_read_only"
# Execution option of a connection that only reads: on SQLite it never waits for the writer.
READING = "relais_reading"


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


@event.listens_for(Engine, "begin")
def _begin(connection: Any) -> None:
    """How a transaction starts, by database and by request.

    SQLite has one writer: a transaction that may write takes the lock up front. A deferred
    transaction that reads, then writes after another process committed, fails at once
    ("database is locked"); an IMMEDIATE one waits its turn (busy_timeout). Reads of web
    requests stay deferred, so they never wait.

    PostgreSQL: the requests of `read_only` views run in autocommit (no BEGIN, no ROLLBACK).
    """
    if connection.dialect.name == "sqlite":
        reading = connection.get_execution_options().get(READING, False) or (
            has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        )
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql" and _read_only_request():
        pooled = connection.connection
        pooled.dbapi_connection.autocommit = True
        pooled.info[_AUTOCOMMIT_READ] = True


_AUTOCOMMIT_READ = "relais_autocommit_read"


@event.listens_for(Pool, "checkin")
def _end_autocommit(dbapi_connection: Any, record: Any) -> None:
    """A connection lent to a read-only request goes back to transactions for its next user."""
    if record.info.pop(_AUTOCOMMIT_READ, False) and dbapi_connection is not None:
        dbapi_connection.autocommit = False
