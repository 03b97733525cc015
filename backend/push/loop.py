"""The dispatcher as a long-running loop: in the scheduler process, or alone from the CLI."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from flask import Flask

from backend.config import Config
from backend.db import db
from backend.push.dispatcher import run_forever
from backend.push.transport import transport_from_config, waiter


def dispatcher_loop(
    app: Flask, holder: str, active: Callable[[], bool] = lambda: True
) -> Callable[[threading.Event], None]:
    """A loop function for a thread: dispatch until the stop event is set."""

    def loop(stop: threading.Event) -> None:
        config: Config = app.extensions["relais_config"]
        transport = transport_from_config(config)
        wait = waiter(config)
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
