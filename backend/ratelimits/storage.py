"""A `limits` storage on Relais' own database: a limit holds across workers and machines.

Flask-Limiter's default storage is each worker's memory: with four workers, "10 per minute"
let up to 40 attempts through (20 of 30 were seen with two). Redis shares the counters
(`RATELIMIT_STORAGE_URI=redis://…`), but `make run` needs nothing besides Python, so the
embedded default keeps them in the database every worker already shares. Only the fixed
window is supported (Flask-Limiter's default strategy): one upsert per hit, on the few
routes that carry a limit (login, sign-ups).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from backend.db import READING, db, dialect_insert
from backend.ratelimits.models import KEY_LENGTH, RateLimitCounter

SCHEME = "relais-db"
counters = RateLimitCounter.__table__


def _bounded(key: str) -> str:
    """Keys longer than the column (a long path in a route-wide limit) are hashed."""
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """Counters in the `rate_limits` table, through the app's engine (`relais-db://`)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = dialect_insert(db.engine.dialect.name)(counters)
        stmt = insert.values(key=_bounded(key), hits=amount, expires_at=now + expiry)
        expired = counters.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[counters.c.key],
            set_={
                "hits": case((expired, amount), else_=counters.c.hits + amount),
                "expires_at": case((expired, now + expiry), else_=counters.c.expires_at),
            },
        ).returning(counters.c.hits)
        with db.engine.begin() as connection:
            return int(connection.execute(stmt).scalar_one())

    def _current(self, key: str) -> tuple[int, float] | None:
        query = select(counters.c.hits, counters.c.expires_at).where(
            counters.c.key == _bounded(key), counters.c.expires_at > time.time()
        )
        # Read while the request's own transaction may hold SQLite's write lock.
        with db.engine.connect().execution_options(**{READING: True}) as connection:
            row = connection.execute(query).first()
        return None if row is None else (int(row[0]), float(row[1]))

    def get(self, key: str) -> int:
        current = self._current(key)
        return 0 if current is None else current[0]

    def get_expiry(self, key: str) -> float:
        current = self._current(key)
        return time.time() if current is None else current[1]

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(
                delete(RateLimitCounter).where(RateLimitCounter.key == _bounded(key))
            )


def prune(session: Any, now: float | None = None) -> int:
    """Forget the windows that have ended (a daily job; a stale row is never counted)."""
    stmt = delete(RateLimitCounter).where(RateLimitCounter.expires_at <= (now or time.time()))
    return int(session.execute(stmt).rowcount or 0)
