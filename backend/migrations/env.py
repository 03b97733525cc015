"""Alembic environment: the URL comes from Relais' configuration, the metadata from its models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from backend.config import Config
from backend.db.listeners import bind_engine
from backend.models import Base

config = context.config
url: str = config.attributes.get("database_url") or Config.from_env().database_url


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    bind_engine(engine)  # SQLite: each migration in a real transaction, foreign keys on, WAL
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
