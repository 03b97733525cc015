"""Scheduled upkeep of the rate-limit counters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from backend.ratelimits.storage import prune


def prune_counters(session: Session, now: dt.datetime) -> None:
    """Counters of ended windows are deleted once a day."""
    prune(session, now.timestamp())
