"""A structure's technical account on the portal, its sync state and each sync run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, UTCDateTime, intpk, utcnow


class PortalAccount(Base):
    """The technical account (login, encrypted password, expiry) of one structure."""

    __tablename__ = "portal_accounts"

    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    login: Mapped[str] = mapped_column(String(200))
    password_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    password_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    expiry_warned_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SyncState(Base):
    """Where a structure's sync stands: watermark, schedule, lease, last outcome."""

    __tablename__ = "sync_states"

    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    # Invoices whose status changed at or after this instant are asked for next time.
    watermark: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    interval_seconds: Mapped[int] = mapped_column(Integer, server_default=text("300"))
    next_sync_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    running_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    running_holder: Mapped[str | None] = mapped_column(String(200))
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # 1 while a member uses the app: such structures are claimed first (backend/sync/workers.py).
    priority: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    # A walk longer than one turn: the window it walks and the page to read next, with the
    # result count it had (if the count moved, the next turn walks the window from page 1).
    resume_window_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resume_page: Mapped[int | None] = mapped_column(Integer)
    resume_total: Mapped[int | None] = mapped_column(Integer)
    # The earliest invoice an earlier turn of that walk could not store: the walk's watermark
    # stops there.
    resume_floor: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SyncRun(Base):
    """One sync of one structure: what it saw, what it changed, how it ended."""

    __tablename__ = "sync_runs"

    id: Mapped[intpk]
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Indexed for the fleet's figures over the last minutes (backend/sync/fleet.py).
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    window_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    invoices_seen: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # When the structure was due: the run's lag is started_at - due_at.
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    portal_calls: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class PortalQuota(Base):
    """The portal's call budget shared by every process: a token bucket, and a pause that a
    429 or a portal gone silent sets for everyone (backend/sync/quota.py). Times are seconds
    since the epoch, read from each process's clock."""

    __tablename__ = "portal_quota"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[float] = mapped_column(Float)
    paused_until: Mapped[float] = mapped_column(Float, server_default=text("0"))
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    calls: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
