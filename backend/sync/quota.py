"""The portal's quota, shared by every process that calls it (PORTAL_RATE_LIMIT).

One row of `portal_quota` is a token bucket: each call takes a token in one UPDATE, refilled
at the rate from the time elapsed on the database's clock (the same for every machine). The
same row carries a pause every process obeys: a 429's Retry-After, or the circuit opened when
calls keep getting no answer or a 5xx (PORTAL_CIRCUIT_SECONDS). A pause longer than a short
wait fails the call at once, so a run ends ("nouvel essai plus tard") instead of holding its
structure while the portal is down.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    case,
    extract,
    func,
    select,
    type_coerce,
    update,
)

from backend.config import Config
from backend.db import dialect_insert
from backend.portal import PortalUnavailableError
from backend.sync.models import PortalQuota
from backend.sync.progress import Interrupted

log = logging.getLogger(__name__)
NAME = "portal"
FAILURES_TO_OPEN = 5  # calls in a row with no answer or a 5xx, fleet-wide, open the circuit
LONGEST_WAIT = 10.0  # a pause longer than this fails the call instead of waiting


def _db_now(engine: Engine) -> ColumnElement[float]:
    """Seconds since the epoch on the database's clock."""
    if engine.dialect.name == "postgresql":
        return type_coerce(extract("epoch", func.clock_timestamp()), Float)
    return (func.julianday("now") - 2440587.5) * 86400.0


class SharedQuota:
    """The CallGate of every portal client of this process (backend/portal/pacing.py)."""

    def __init__(
        self,
        engine: Engine,
        rate: float,
        burst: int,
        circuit_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.rate, self.burst = engine, rate, max(1, burst)
        self.circuit_seconds, self.sleep = circuit_seconds, sleep
        self._failing = False  # this process saw a failure since the last success
        with engine.begin() as conn:
            now = conn.scalar(select(_db_now(engine)))
            row = {"name": NAME, "tokens": float(self.burst), "refilled_at": now}
            insert = dialect_insert(engine.dialect.name)(PortalQuota.__table__)
            conn.execute(insert.values(row).on_conflict_do_nothing())

    @classmethod
    def from_config(cls, engine: Engine, config: Config) -> SharedQuota:
        return cls(
            engine, config.portal_rate_limit, config.portal_rate_burst,
            config.portal_circuit_seconds,
        )  # fmt: skip

    def with_sleep(self, sleep: Callable[[float], None]) -> SharedQuota:
        """The same quota for one run, whose waits end when its process stops."""
        twin = object.__new__(SharedQuota)
        twin.__dict__.update(self.__dict__, sleep=sleep)
        return twin

    def before_call(self) -> None:
        """Wait for a token (and for any pause to end); a long pause fails the call."""
        while True:
            wait = self._take()
            if wait <= 0:
                return
            if wait > LONGEST_WAIT:
                raise PortalUnavailableError(0, f"appels au portail suspendus encore {wait:.0f} s")
            self.sleep(wait + random.uniform(0, 0.01))

    def after_call(self, status: int | None, retry_after: float | None) -> None:
        """A 429 pauses every process for its Retry-After; repeated failures open the circuit."""
        if status == 429:
            self._pause(retry_after or 1.0)
        elif status is None or status >= 500:
            self._failing = True
            self._failed()
        elif self._failing:
            self._failing = False
            with self.engine.begin() as conn:
                conn.execute(update(PortalQuota).where(PortalQuota.name == NAME).values(failures=0))

    def pause_left(self) -> float:
        """Seconds until calls may go again (0: now); a worker waits this before claiming."""
        with self.engine.begin() as conn:
            left = conn.scalar(
                select(PortalQuota.paused_until - _db_now(self.engine)).where(
                    PortalQuota.name == NAME
                )
            )
        return max(0.0, float(left or 0.0))

    def _take(self) -> float:
        """Take a token: 0 when taken, else the seconds to wait before trying again."""
        now = _db_now(self.engine)
        if self.rate <= 0:
            return self.pause_left()
        refilled = PortalQuota.tokens + (now - PortalQuota.refilled_at) * self.rate
        available = case((refilled > self.burst, float(self.burst)), else_=refilled)
        with self.engine.begin() as conn:
            taken = conn.execute(
                update(PortalQuota)
                .where(
                    PortalQuota.name == NAME,
                    PortalQuota.paused_until <= now,
                    available >= 1,
                )
                .values(tokens=available - 1, refilled_at=now, calls=PortalQuota.calls + 1)
                .returning(PortalQuota.name)
            ).first()
            if taken is not None:
                return 0.0
            row: Any = conn.execute(
                select(available, PortalQuota.paused_until - now).where(PortalQuota.name == NAME)
            ).one()
        tokens, paused = float(row[0]), float(row[1])
        if paused > 0:
            return paused
        return max(0.001, (1 - tokens) / self.rate)

    def _pause(self, seconds: float) -> None:
        until = _db_now(self.engine) + seconds
        with self.engine.begin() as conn:
            conn.execute(
                update(PortalQuota)
                .where(PortalQuota.name == NAME)
                .values(
                    paused_until=case(
                        (PortalQuota.paused_until > until, PortalQuota.paused_until), else_=until
                    )
                )
            )

    def _failed(self) -> None:
        with self.engine.begin() as conn:
            failures = conn.scalar(
                update(PortalQuota)
                .where(PortalQuota.name == NAME)
                .values(failures=PortalQuota.failures + 1)
                .returning(PortalQuota.failures)
            )
        if failures is not None and failures >= FAILURES_TO_OPEN:
            log.warning(
                "portal: %d calls in a row without an answer; every call paused %.0f s",
                failures, self.circuit_seconds,
            )  # fmt: skip
            self._pause(self.circuit_seconds)


_QUOTAS: dict[tuple[int, float, int, float], SharedQuota] = {}
_QUOTAS_LOCK = threading.Lock()


def shared_quota(engine: Engine, config: Config) -> SharedQuota:
    """This process's quota on that database (its row made once)."""
    key = (id(engine), config.portal_rate_limit, config.portal_rate_burst,
           config.portal_circuit_seconds)  # fmt: skip
    with _QUOTAS_LOCK:
        if key not in _QUOTAS:
            _QUOTAS[key] = SharedQuota.from_config(engine, config)
        return _QUOTAS[key]


def interruptible(stop: threading.Event) -> Callable[[float], None]:
    """A sleep that ends the run when the process stops."""

    def sleep(seconds: float) -> None:
        if stop.wait(seconds):
            raise Interrupted

    return sleep
