"""Retry policy: exponential backoff with jitter, honouring Retry-After (tenacity)."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from backend.portal.errors import RetryableResponse


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the client insists; tests shrink the waits and inject `sleep`."""

    attempts: int = 4
    initial_wait: float = 0.5
    max_wait: float = 20.0
    jitter: float = 0.5
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = time.sleep

    def retrying(self) -> Retrying:
        # Exponential backoff plus random jitter, so that many clients do not retry in step.
        backoff = wait_exponential(multiplier=self.initial_wait, max=self.max_wait) + wait_random(
            0, self.jitter
        )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RetryableResponse) and exc.retry_after is not None:
                # The server said when to come back: obey, within reason.
                return min(exc.retry_after, self.max_retry_after)
            return backoff(state)

        return Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception_type(RetryableResponse),
            sleep=self.sleep,
        )


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())
