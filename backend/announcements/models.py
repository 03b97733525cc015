"""Dated announcements (maintenance, incident, release, news) and newsletter subscriptions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, UTCDateTime, intpk, utcnow


class Category(enum.StrEnum):
    MAINTENANCE = "maintenance"
    INCIDENT = "incident"
    RELEASE = "release"
    NEWS = "news"


class SubscriptionState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Announcement(Base):
    """A notice for the site banner and the phone; maintenance ones carry a window."""

    __tablename__ = "announcements"

    id: Mapped[intpk]
    category: Mapped[Category] = mapped_column(_enum(Category), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, server_default="")
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Set once the announcement was handed to the push relay (maintenance notices).
    pushed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NewsletterSubscription(Base):
    """One address on the newsletter list, confirmed by double opt-in."""

    __tablename__ = "newsletter_subscriptions"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    state: Mapped[SubscriptionState] = mapped_column(_enum(SubscriptionState))
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
