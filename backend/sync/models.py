"""A structure's technical account on the portal, its sync state and each sync run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, text
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


class SyncRun(Base):
    """One sync of one structure: what it saw, what it changed, how it ended."""

    __tablename__ = "sync_runs"

    id: Mapped[intpk]
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="running")
    window_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    window_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    invoices_seen: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
