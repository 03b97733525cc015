"""Time zones: stored in UTC, shown in Europe/Paris."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# French names, for dates written in words (« mardi 8 décembre 2026 »).
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def paris_today(now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(PARIS).date()


def paris_day_start(day: dt.date) -> dt.datetime:
    """The instant (UTC) a Paris day begins: days asked for in Paris bound UTC timestamps."""
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS).astimezone(dt.UTC)
