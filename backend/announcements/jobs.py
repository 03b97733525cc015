"""Scheduled jobs of announcements and the newsletter."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from backend.announcements.models import (
    Announcement,
    Category,
    NewsletterSubscription,
    SubscriptionState,
)

# Pending and unsubscribed addresses are kept this long, then deleted.
FORGET_AFTER = dt.timedelta(days=30)


class ServiceNoticePublisher(Protocol):
    """The push relay's entry point, once it exists: every device accepting service notices."""

    def publish_service_notice(self, title: str, body: str, data: dict[str, str]) -> bool: ...


def push_maintenance_announcements(
    session: Session, publisher: ServiceNoticePublisher, now: dt.datetime
) -> int:
    """Hand each live maintenance announcement to the push relay once (claimed by UPDATE)."""
    due = session.scalars(
        select(Announcement.id).where(
            Announcement.category == Category.MAINTENANCE,
            Announcement.published_at <= now,
            Announcement.window_ends_at > now,
            Announcement.pushed_at.is_(None),
        )
    ).all()
    pushed = 0
    for announcement_id in due:
        claimed = session.execute(
            update(Announcement)
            .where(Announcement.id == announcement_id, Announcement.pushed_at.is_(None))
            .values(pushed_at=now)
        )
        session.commit()
        if not getattr(claimed, "rowcount", 0):
            continue
        item = session.get(Announcement, announcement_id)
        assert item is not None
        data = {"announcement_id": str(item.id), "category": item.category.value}
        if item.window_starts_at is not None:
            data["window_starts_at"] = item.window_starts_at.isoformat()
        if publisher.publish_service_notice(item.title, item.body, data):
            pushed += 1
        else:
            item.pushed_at = None  # the relay refused: try again on the next run
            session.commit()
    return pushed


def forget_stale(session: Session, now: dt.datetime) -> int:
    """Delete addresses never confirmed, or unsubscribed, more than 30 days ago."""
    cutoff = now - FORGET_AFTER
    result = session.execute(
        delete(NewsletterSubscription).where(
            or_(
                (NewsletterSubscription.state == SubscriptionState.PENDING)
                & (NewsletterSubscription.created_at < cutoff),
                (NewsletterSubscription.state == SubscriptionState.UNSUBSCRIBED)
                & (NewsletterSubscription.unsubscribed_at < cutoff),
            )
        )
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
