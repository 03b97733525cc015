"""Scheduled upkeep of the rate-limit counters."""

from __future__ import annotations

from backend.ratelimits.storage import prune
from backend.scheduler.process import JobContext


def prune_counters(ctx: JobContext) -> None:
    """Counters of ended windows are deleted once a day."""
    prune(ctx.session, ctx.now.timestamp())
