"""INSERT … ON CONFLICT, written once for both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(dialect: str) -> Any:
    """The INSERT construct with ON CONFLICT of the database in use (PostgreSQL or SQLite).

    Both share `on_conflict_do_nothing`, `on_conflict_do_update(index_elements=…, set_=…)`
    and `excluded`: `dialect_insert(session.get_bind().dialect.name)(table)`.
    """
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_ignoring_conflicts(session: Session, table: Any, rows: list[dict[str, Any]]) -> int:
    """INSERT rows, silently skipping those that hit a unique constraint; return how many landed."""
    if not rows:
        return 0
    insert = dialect_insert(session.get_bind().dialect.name)
    # RETURNING, not rowcount: drivers do not all report rowcount for this statement.
    stmt = insert(table).values(rows).on_conflict_do_nothing().returning(*table.primary_key.columns)
    return len(session.execute(stmt).all())
