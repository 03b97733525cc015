"""Alembic environment: the URL comes from Relais' configuration, the metadata from its models."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from backend.models import Base

config = context.config
url = config.attributes.get("database_url")
if url is None:
    from backend.config import Config

    url = Config.from_env().database_url


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
