"""The database plumbing every domain shares: models' base and types, the app's session,
transactions bound to the app's engine (`listeners`), the upsert and direct statements."""

from backend.db.base import Base, UTCDateTime, intpk, utcnow
from backend.db.listeners import READING, notify_at_commit, read_only
from backend.db.session import current_session, db, unit_of_work
from backend.db.upsert import dialect_insert, insert_ignoring_conflicts

__all__ = [
    "READING",
    "Base",
    "UTCDateTime",
    "current_session",
    "db",
    "dialect_insert",
    "insert_ignoring_conflicts",
    "intpk",
    "notify_at_commit",
    "read_only",
    "unit_of_work",
    "utcnow",
]
