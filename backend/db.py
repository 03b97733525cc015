"""Declarative base, column aliases and database helpers shared by every domain."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Annotated, Any

from flask import has_request_context, request
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


db = SQLAlchemy(model_class=Base, disable_autonaming=True)


def current_session() -> Session:
    """The session of the current app context (the object behind `db.session`)."""
    return db.session()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def insert_ignoring_conflicts(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT rows, silently skipping those that hit a unique constraint; return how many landed."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
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


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """SQLite has one writer: a transaction that may write takes the lock up front.

    A deferred transaction that reads, then writes after another process committed, fails
    at once ("database is locked"); an IMMEDIATE one waits its turn (busy_timeout).
    Reads of web requests stay deferred, so they never wait.
    """
    if connection.dialect.name == "sqlite":
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
