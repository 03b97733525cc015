"""Training sessions (webinars, coaching), their parts, sign-ups and the e-mails sent once."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import User
from backend.db import Base, UTCDateTime, intpk, utcnow


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(
        kind, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Format(enum.StrEnum):
    WEBINAR = "webinar"
    COACHING = "coaching"


class SessionState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationState(enum.StrEnum):
    PENDING = "pending"  # holds a seat until the e-mail is confirmed or the delay runs out
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


SEAT_HOLDING = (RegistrationState.PENDING, RegistrationState.CONFIRMED)
ACTIVE = (*SEAT_HOLDING, RegistrationState.WAITING)


class TrainingSession(Base):
    """One published date of a training: a webinar, or a two-part coaching."""

    __tablename__ = "training_sessions"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[Format] = mapped_column(_enum(Format))
    audiences: Mapped[str] = mapped_column(String(300), server_default="")
    description: Mapped[str] = mapped_column(Text, server_default="")
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    visio_url: Mapped[str] = mapped_column(String(500), server_default="")
    state: Mapped[SessionState] = mapped_column(_enum(SessionState), index=True)
    # iCalendar SEQUENCE: raised on every change participants' calendars must follow.
    sequence: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # Bumped by an UPDATE that serialises seat assignment (a row lock on PostgreSQL,
    # the write lock on SQLite); its value also numbers sign-ups in arrival order.
    serial: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    trainer: Mapped[User] = relationship()
    parts: Mapped[list[TrainingPart]] = relationship(
        back_populates="training",
        order_by="TrainingPart.position",
        cascade="all, delete-orphan",
    )

    @property
    def audience_list(self) -> list[str]:
        return [a for a in self.audiences.split(",") if a]


class TrainingPart(Base):
    """One sitting of a session; a coaching has two, booked together."""

    __tablename__ = "training_parts"
    __table_args__ = (UniqueConstraint("training_id", "position"),)

    id: Mapped[intpk]
    training_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    training: Mapped[TrainingSession] = relationship(back_populates="parts")


class Registration(Base):
    """One person's sign-up to one session; the e-mail is unique per session."""

    __tablename__ = "training_registrations"
    __table_args__ = (
        UniqueConstraint("training_id", "email"),
        Index("ix_training_registrations_state_confirm_by", "state", "confirm_by"),
    )

    id: Mapped[intpk]
    training_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    structure_name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(14))
    state: Mapped[RegistrationState] = mapped_column(_enum(RegistrationState))
    position: Mapped[int] = mapped_column(Integer)
    consent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    confirm_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    seated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(Boolean)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    training: Mapped[TrainingSession] = relationship()


class Notice(Base):
    """An e-mail that must go out once per registration (reminders, cancellation notice).

    The row is the claim: inserted and committed before sending, so a restart never
    sends it twice; `sent_at` stays empty if the process died during the send.
    """

    __tablename__ = "training_notices"
    __table_args__ = (UniqueConstraint("registration_id", "kind"),)

    id: Mapped[intpk]
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("training_registrations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
