"""Announcements: what is current or upcoming, and their maintenance windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from backend.announcements.models import Announcement, Category

CATEGORY_LABELS = {
    Category.MAINTENANCE: "Maintenance",
    Category.INCIDENT: "Incident",
    Category.RELEASE: "Nouvelle version",
    Category.NEWS: "Actualité",
}
# A notice's date is its window's start, or its publication when it has no window: the
# soonest first, so a maintenance published later for an earlier day never hides behind it.
DATE_ORDER = (
    func.coalesce(Announcement.window_starts_at, Announcement.published_at),
    Announcement.id,
)
FIELDS = (
    "category",
    "title",
    "body",
    "published_at",
    "expires_at",
    "window_starts_at",
    "window_ends_at",
)


def current(session: Session, now: dt.datetime) -> list[Announcement]:
    """Published, not expired; maintenance ones until their window ends. In date order."""
    maintenance = Announcement.category == Category.MAINTENANCE
    live = or_(
        and_(maintenance, Announcement.window_ends_at > now),
        and_(
            ~maintenance,
            or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
        ),
    )
    query = select(Announcement).where(Announcement.published_at <= now, live)
    return list(session.scalars(query.order_by(*DATE_ORDER)))


def maintenances(session: Session, now: dt.datetime) -> list[Announcement]:
    """Every published maintenance, past ones too (the site's news posts), in date order."""
    query = select(Announcement).where(
        Announcement.category == Category.MAINTENANCE, Announcement.published_at <= now
    )
    return list(session.scalars(query.order_by(*DATE_ORDER)))


def view(item: Announcement, now: dt.datetime) -> dict[str, Any]:
    start, end = item.window_starts_at, item.window_ends_at
    return {
        **{name: getattr(item, name) for name in FIELDS},
        "id": item.id,
        "category": item.category.value,
        "category_label": CATEGORY_LABELS[item.category],
        "in_progress": start is not None and end is not None and start <= now < end,
    }


def save(
    session: Session, item: Announcement, data: dict[str, Any], now: dt.datetime
) -> Announcement:
    """Create or edit; a moved maintenance window is pushed again."""
    moved = any(k in data for k in ("window_starts_at", "window_ends_at", "title"))
    for name in FIELDS:
        if name in data:
            setattr(item, name, Category(data[name]) if name == "category" else data[name])
    if item.published_at is None:
        item.published_at = now
    if item.category == Category.MAINTENANCE and (
        item.window_starts_at is None or item.window_ends_at is None
    ):
        raise ValueError("window_starts_at")
    if (
        item.window_starts_at
        and item.window_ends_at
        and item.window_ends_at <= item.window_starts_at
    ):
        raise ValueError("window_ends_at")
    if moved and item.id is not None:
        item.pushed_at = None
    item.updated_at = now
    session.add(item)
    session.flush()
    return item
