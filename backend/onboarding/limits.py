"""The budget of technical-account proofs: each one calls the portal with a password someone
typed, so they are counted per client address and per SIRET (guessing a structure's password
from many addresses hits the second). Only calls that reach the portal count."""

from __future__ import annotations

import time

from limits import parse_many

from backend.extensions import limiter
from backend.ratelimits.keys import address_key


def proof_allowed(setting: str, siret: str) -> int | None:
    """Count one proof; None when allowed, else the seconds to wait (Retry-After)."""
    strategy = limiter.limiter
    waits = []
    for item in parse_many(setting):
        for key in (f"address:{address_key()}", f"siret:{siret}"):
            if not strategy.hit(item, "portal-proof", key):
                reset = strategy.get_window_stats(item, "portal-proof", key).reset_time
                waits.append(max(1, int(reset - time.time()) + 1))
    return max(waits) if waits else None
