"""Fault injection: what the sandbox does wrong on purpose, switchable at run time."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class FaultSettings:
    """Every knob; counts are "the next N API calls", delay_calls None means every call."""

    delay_seconds: float = 0.0
    delay_calls: int | None = None
    fail_calls: int = 0
    fail_status: int = 503
    rate_limit_calls: int = 0
    retry_after: int = 1
    code_retour_calls: int = 0
    code_retour: int = 20099
    code_retour_libelle: str = "Erreur technique du portail : service momentanément indisponible."
    change_between_pages: int = 0
    # Load simulation (bench/sync_bench.py): every answer delayed delay_seconds ± delay_jitter,
    # and a share of calls answered 429 (Retry-After: retry_after) or 503 at random.
    delay_jitter: float = 0.0
    rate_limit_share: float = 0.0
    fail_share: float = 0.0


class Faults:
    """Thread-safe fault settings with one-shot counters consumed by the API calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Change some knobs (unknown names are refused); return the new settings."""
        known = {f.name for f in fields(FaultSettings)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            for name, value in changes.items():
                setattr(self.settings, name, value)
            return asdict(self.settings)

    def reset(self) -> None:
        with self._lock:
            self.settings = FaultSettings()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.settings)

    def slow_answer(self, seconds: float, calls: int | None = None) -> None:
        self.configure(delay_seconds=seconds, delay_calls=calls)

    def fail_next(self, calls: int, status: int = 503) -> None:
        self.configure(fail_calls=calls, fail_status=status)

    def rate_limit_next(self, calls: int, retry_after: int = 1) -> None:
        self.configure(rate_limit_calls=calls, retry_after=retry_after)

    def code_retour_next(self, calls: int, code: int = 20099, libelle: str | None = None) -> None:
        self.configure(code_retour_calls=calls, code_retour=code)
        if libelle:
            self.configure(code_retour_libelle=libelle)

    def change_pages_next(self, searches: int = 1) -> None:
        self.configure(change_between_pages=searches)

    def take_delay(self) -> float:
        with self._lock:
            s = self.settings
            if s.delay_seconds <= 0 or s.delay_calls == 0:
                return 0.0
            if s.delay_calls is not None:
                s.delay_calls -= 1
            return max(0.0, s.delay_seconds + random.uniform(-s.delay_jitter, s.delay_jitter))

    def by_chance(self, share: str) -> bool:
        """True for a random share of calls (`rate_limit_share`, `fail_share`)."""
        value: float = getattr(self.settings, share)
        return value > 0 and random.random() < value

    def take(self, counter: str) -> bool:
        """Consume one unit of a countdown knob; True when the fault applies to this call."""
        with self._lock:
            left = getattr(self.settings, counter)
            if left <= 0:
                return False
            setattr(self.settings, counter, left - 1)
            return True
