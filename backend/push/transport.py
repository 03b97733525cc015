"""The push transport named by configuration, and the dispatcher's wake-up call."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import notify_at_commit
from backend.push.dispatcher import CHANNEL
from backend.reconnect import Listener
from notifications import PushTransport, make_transport


def transport_from_config(config: Config) -> PushTransport:
    if config.push_transport == "firebase":
        return make_transport(
            "firebase",
            project_id=config.firebase_project_id or None,
            credentials_path=config.google_application_credentials or None,
            fcm_base_url=config.fcm_base_url or None,
            web_base_url=config.public_base_url,
        )
    return make_transport("log", outbox_path=config.push_outbox)


def wake_dispatchers(session: Session) -> None:
    """On PostgreSQL, NOTIFY the dispatchers when this transaction commits.

    One NOTIFY per transaction, however many invoices it recorded. A wake-up left by a
    rolled-back transaction only makes a dispatcher look at the outbox once more.
    """
    notify_at_commit(session, CHANNEL)


class Waiter:
    """A wait that returns early when a transaction NOTIFYs the dispatchers (PostgreSQL).

    Its LISTEN connection comes back by itself after a database restart; until then the
    wait is a plain poll, so nothing is missed, only heard a little later.
    """

    def __init__(self, database_url: str, stop: threading.Event | None = None) -> None:
        self.listener = Listener(database_url, CHANNEL, stop=stop)
        self.listener.connect()

    def __call__(self, timeout: float) -> None:
        for _ in self.listener.notifies(timeout, stop_after=1):
            pass

    def close(self) -> None:
        self.listener.close()


def waiter(config: Config, stop: threading.Event | None = None) -> Waiter | None:
    """A NOTIFY waiter on PostgreSQL; None means plain polling (SQLite)."""
    return Waiter(config.database_url, stop) if config.is_postgresql else None
