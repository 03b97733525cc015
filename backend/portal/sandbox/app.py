"""create_sandbox_app: a Flask app that speaks the portal's protocol on loopback."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from flask import Flask

from backend.portal.sandbox.admin import register_admin
from backend.portal.sandbox.api import register_api
from backend.portal.sandbox.cases import seed_cases
from backend.portal.sandbox.clock import real_clock
from backend.portal.sandbox.core import Sandbox
from backend.portal.sandbox.render import STYLES
from backend.portal.sandbox.seed import seed_demo
from backend.portal.sandbox.store import Store


class SandboxApp(Flask):
    """The Flask app, carrying its Sandbox (store, faults, lifecycle) as `.sandbox`."""

    sandbox: Sandbox


def create_sandbox_app(
    store_path: str | None = None,
    *,
    seed: int = 2026,
    clock: Callable[[], dt.datetime] = real_clock,
    invoices: int = 300,
    suppliers: int = 3,
    token_lifetime: int = 3600,
    demo: bool = False,
    demo_interval: float = 3.0,
    demo_count: int = 3,
    seeded_until: dt.datetime | None = None,
    wire: str = "current",
) -> SandboxApp:
    """Build the sandbox; an empty store (None = in memory) gets the seeded demo data set.

    The seeded history is played up to `seeded_until` (default: the clock's time).
    """
    store = Store(store_path)
    if store.is_empty():
        with store.batch():
            seed_demo(store, random.Random(seed), seeded_until or clock(), invoices, suppliers)
    seed_cases(store, seed, seeded_until or clock())
    app = SandboxApp(__name__)
    app.sandbox = Sandbox(store, seed=seed, clock=clock, token_lifetime=token_lifetime)
    app.sandbox.wire = STYLES[wire]
    register_api(app, app.sandbox)
    register_admin(app, app.sandbox)
    if demo:
        app.sandbox.start_demo(demo_interval, demo_count)
    return app
