"""The whole fleet's sync over the last minutes: how late runs start, how fast structures
and portal calls go, how many structures wait. For administrators (the API) and the logs.

A run's lag is started_at − due_at: how long the structure waited for a worker once due.
Percentiles are nearest-rank over the runs started in the window.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.sync.models import SyncRun, SyncState
from backend.sync.status import late_by

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 5


@dataclass(frozen=True)
class FleetFigures:
    window_minutes: int
    runs: int  # finished in the window, whatever their outcome
    failed_runs: int
    runs_per_second: float
    portal_calls_per_second: float
    lag_p50_seconds: float | None  # None: no run started in the window
    lag_p99_seconds: float | None
    structures_due: int  # due and waiting for a worker
    structures_late: int  # of those, waiting past two intervals

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def log_line(self) -> str:
        lag = (
            f"lag p50 {self.lag_p50_seconds:.1f} s p99 {self.lag_p99_seconds:.1f} s"
            if self.lag_p50_seconds is not None and self.lag_p99_seconds is not None
            else "lag -"
        )
        return (
            f"sync fleet, last {self.window_minutes} min: {self.runs} runs "
            f"({self.failed_runs} failed, {self.runs_per_second:.2f}/s), "
            f"{self.portal_calls_per_second:.2f} portal calls/s, {lag}, "
            f"{self.structures_due} structures due, {self.structures_late} late"
        )


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def fleet_figures(
    session: Session, now: dt.datetime, minutes: int = DEFAULT_MINUTES
) -> FleetFigures:
    """The fleet's figures over the `minutes` before `now`."""
    since = now - dt.timedelta(minutes=minutes)
    seconds = minutes * 60.0
    finished = session.execute(
        select(
            func.count(SyncRun.id),
            func.count(SyncRun.id).filter(SyncRun.status == "failed"),
            func.coalesce(func.sum(SyncRun.portal_calls), 0),
        ).where(SyncRun.finished_at > since, SyncRun.finished_at <= now)
    ).one()
    started = session.execute(
        select(SyncRun.started_at, SyncRun.due_at).where(
            SyncRun.started_at > since, SyncRun.started_at <= now, SyncRun.due_at.is_not(None)
        )
    ).all()
    lags = [max(0.0, (begun - due).total_seconds()) for begun, due in started if due is not None]
    waiting = session.scalars(
        select(SyncState).where(
            SyncState.next_sync_at <= now,
            (SyncState.running_until.is_(None)) | (SyncState.running_until <= now),
        )
    ).all()
    return FleetFigures(
        window_minutes=minutes,
        runs=int(finished[0]),
        failed_runs=int(finished[1]),
        runs_per_second=round(finished[0] / seconds, 3),
        portal_calls_per_second=round(int(finished[2]) / seconds, 3),
        lag_p50_seconds=percentile(lags, 0.50),
        lag_p99_seconds=percentile(lags, 0.99),
        structures_due=len(waiting),
        structures_late=sum(1 for state in waiting if late_by(state, False, now) is not None),
    )


def log_fleet_figures(session: Session, now: dt.datetime) -> None:
    """The scheduler's line each minute, over that minute: the administrators' figures."""
    log.info(fleet_figures(session, now, minutes=1).log_line())
