"""The push transport named by configuration, and the dispatcher's wake-up call."""

from __future__ import annotations

import psycopg
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from backend.config import Config
from backend.push.dispatcher import CHANNEL
from notifications import PushTransport, make_transport


def transport_from_config(config: Config) -> PushTransport:
    if config.push_transport == "firebase":
        return make_transport(
            "firebase",
            project_id=config.firebase_project_id or None,
            credentials_path=config.google_application_credentials or None,
            fcm_base_url=config.fcm_base_url or None,
        )
    return make_transport("log", outbox_path=config.push_outbox)


WAKE = "relais_push_wake"


def wake_dispatchers(session: Session) -> None:
    """On PostgreSQL, NOTIFY the dispatchers when this transaction commits.

    One NOTIFY per transaction, however many invoices it recorded: the request is noted on the
    session and sent just before the commit (PostgreSQL delivers it at the commit). A wake-up
    left by a rolled-back transaction only makes a dispatcher look at the outbox once more.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.info[WAKE] = True


@event.listens_for(Session, "before_commit")
def _notify_before_commit(session: Session) -> None:
    if session.info.pop(WAKE, False):
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class Waiter:
    """A wait that returns early when a transaction NOTIFYs the dispatchers (PostgreSQL)."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True
        )
        self.connection.execute(f"LISTEN {CHANNEL}")

    def __call__(self, timeout: float) -> None:
        for _ in self.connection.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        self.connection.close()


def waiter(config: Config) -> Waiter | None:
    """A NOTIFY waiter on PostgreSQL; None means plain polling (SQLite)."""
    return Waiter(config.database_url) if config.is_postgresql else None
