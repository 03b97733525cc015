"""The app's session, and the unit of work that always ends its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from backend.db.base import Base

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
