"""Coming back after a failure: growing waits, and a LISTEN connection that reconnects.

Long-running threads (the push dispatcher, each web worker's authentication cache, the
scheduler's loops) outlive a database restart: they wait a little longer after each failure,
never give up, and start again from nothing when the database is back.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
from psycopg.rows import TupleRow
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class Backoff:
    """Waits that double after each failure up to `cap`, with jitter; `reset` after a success.

    The jitter (each wait drawn in its upper half) keeps the processes that lost the same
    database from all coming back in the same instant.
    """

    def __init__(self, first: float = 0.5, cap: float = 10.0) -> None:
        self.first, self.cap = first, cap
        self._next = first

    def next(self) -> float:
        wait, self._next = self._next, min(self.cap, self._next * 2)
        return random.uniform(wait / 2, wait)

    def reset(self) -> None:
        self._next = self.first


class Listener:
    """A LISTEN connection to one channel of a PostgreSQL database, used by one thread.

    `notifies` never raises for a connection problem: when the connection is lost it is
    dropped, and the next calls wait out a growing backoff before connecting again (while
    it is down, callers simply wait, so they poll). `on_connect` runs each time LISTEN is in
    place, `on_disconnect` each time the connection is lost or closed: what was sent in
    between was not heard.
    """

    def __init__(
        self,
        database_url: str,
        channel: str,
        *,
        stop: threading.Event | None = None,
        on_connect: Callable[[], None] = lambda: None,
        on_disconnect: Callable[[], None] = lambda: None,
    ) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self.channel = channel
        self._stop = stop or threading.Event()
        self._on_connect, self._on_disconnect = on_connect, on_disconnect
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._backoff = Backoff()
        self._retry_at = 0.0

    def connect(self) -> bool:
        """Connect and LISTEN, unless connected already or waiting out the backoff."""
        if self._connection is not None:
            return True
        if time.monotonic() < self._retry_at:
            return False
        try:
            connection = psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=5,
                # A server that vanished without closing the socket is noticed within a minute.
                keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3,
            )  # fmt: skip
        except psycopg.Error as exc:
            self._failed(exc)
            return False
        try:
            # Unquoted, as operators look for it: `... WHERE query LIKE 'LISTEN relais_push%'`.
            connection.execute(f"LISTEN {self.channel}")
        except psycopg.Error as exc:
            connection.close()
            self._failed(exc)
            return False
        self._connection = connection
        self._backoff.reset()
        self._on_connect()
        return True

    def notifies(self, timeout: float, stop_after: int | None = None) -> Iterator[str]:
        """The payloads heard within `timeout` seconds (the wait is the same when down)."""
        if not self.connect() or self._connection is None:
            self._stop.wait(timeout)
            return
        try:
            for notify in self._connection.notifies(timeout=timeout, stop_after=stop_after):
                yield notify.payload
        except psycopg.Error as exc:
            self._drop()
            self._failed(exc)

    def _failed(self, exc: psycopg.Error) -> None:
        wait = self._backoff.next()
        self._retry_at = time.monotonic() + wait
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning("LISTEN %s: %s; connecting again in %.1f s", self.channel, first_line, wait)

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
            self._on_disconnect()

    def close(self) -> None:
        self._drop()
