"""The demo's announcements: a maintenance tomorrow and a release note, shown at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from backend.announcements.models import Announcement, Category
from backend.timeutil import PARIS


def _paris(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS).astimezone(dt.UTC)


def seed_announcements(session: Session, now: dt.datetime) -> None:
    """Tomorrow's maintenance window and a release note, shown at once."""
    tomorrow = now.astimezone(PARIS).date() + dt.timedelta(days=1)
    session.add_all(
        [
            Announcement(
                category=Category.MAINTENANCE,
                title="Mise en production d'une nouvelle version",
                body="Une opération de maintenance est prévue. Elle a pour objectif la mise en "
                "production d'une nouvelle version : l'application sera indisponible.",
                published_at=now - dt.timedelta(hours=2),
                window_starts_at=_paris(tomorrow, 13),
                window_ends_at=_paris(tomorrow, 15),
                updated_at=now,
            ),
            Announcement(
                category=Category.RELEASE,
                title="Nouvelle version en production",
                body="Les modifications apportées sont présentées dans la note de version.",
                published_at=now - dt.timedelta(days=3),
                expires_at=now + dt.timedelta(days=27),
                updated_at=now,
            ),
        ]
    )
