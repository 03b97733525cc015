"""A request to join a structure, made by proving its technical account."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import Structure, User
from backend.db import Base, UTCDateTime, intpk, utcnow


class JoinState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class JoinRequest(Base):
    """One person asking one structure's main managers for access; one row per pair (asked
    again after a refusal, the same row goes back to pending)."""

    __tablename__ = "join_requests"
    __table_args__ = (UniqueConstraint("structure_id", "user_id"),)

    id: Mapped[intpk]
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[JoinState] = mapped_column(
        Enum(
            JoinState, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]
        )
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    structure: Mapped[Structure] = relationship()
