"""The dispatcher as a long-running loop: in the scheduler process, or alone from the CLI."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy.orm import Session

from backend.config import Config
from backend.db import db
from backend.push.dispatcher import BATCH, LEASE, dispatch_once
from backend.push.transport import transport_from_config, waiter
from backend.reconnect import Backoff
from notifications import PushTransport

log = logging.getLogger(__name__)


def dispatcher_loop(
    app: Flask, holder: str, active: Callable[[], bool] = lambda: True
) -> Callable[[threading.Event], None]:
    """A loop function for a thread: dispatch until the stop event is set."""

    def loop(stop: threading.Event) -> None:
        config: Config = app.extensions["relais_config"]
        transport = transport_from_config(config)
        wait = waiter(config, stop)
        lease = dt.timedelta(seconds=config.push_lease_seconds)
        try:
            with app.app_context():
                run_forever(lambda: db.session(), transport, holder, stop, wait, active, lease)
        finally:
            if wait is not None:
                wait.close()
            if hasattr(transport, "close"):
                transport.close()

    loop.__name__ = "push-dispatcher"
    return loop


def run_forever(
    session_factory: Callable[[], Session],
    transport: PushTransport,
    holder: str,
    stop: threading.Event,
    wait: Callable[[float], None] | None = None,
    active: Callable[[], bool] = lambda: True,
    lease: dt.timedelta = LEASE,
) -> None:
    """Dispatch until `stop` is set; between empty batches, wait for a wake-up or a short poll.

    Nothing ends the loop but `stop`: after any failure (the database restarting, a transport
    error) it waits a growing backoff and tries again.
    """
    pause = wait or stop.wait
    backoff = Backoff()
    while not stop.is_set():
        try:
            if not active():
                pause(1.0)
                continue
            if not _dispatch_full_batch(session_factory(), transport, holder, lease):
                pause(0.5)
            backoff.reset()
        except Exception:
            delay = backoff.next()
            log.exception("push dispatch failed; trying again in %.1f s", delay)
            stop.wait(delay)


def _dispatch_full_batch(
    session: Session, transport: PushTransport, holder: str, lease: dt.timedelta
) -> bool:
    """One batch; True when it was full (more is probably due at once)."""
    try:
        stats = dispatch_once(session, transport, holder, lease=lease)
    finally:
        session.close()  # rolls back what failed; a connection the database dropped is discarded
    return stats.claimed + stats.abandoned >= BATCH
