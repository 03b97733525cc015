"""Trainers' side: create, edit, publish and cancel sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.french import plural
from backend.mail import Mailer, deliver
from backend.trainings import emails, notices, seats
from backend.trainings.models import (
    Registration,
    RegistrationState,
    SessionState,
    TrainingPart,
    TrainingSession,
)
from backend.trainings.present import day, hour
from backend.trainings.service import announce_promotions
from backend.trainings.settings import TrainingSettings

# Changing these must reach participants' calendars: SEQUENCE goes up.
CALENDAR_FIELDS = ("title", "parts", "visio_url", "description", "format")


class Conflict(Exception):
    """A change the session's state does not allow; French message."""


class Refused(Exception):
    """A value refused for one field (answered as a 422 naming it); French reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def may_manage(user: User, training: TrainingSession) -> bool:
    """Admins manage every session; trainers the ones they lead."""
    return user.is_admin or (user.is_trainer and training.trainer_id == user.id)


def _parts(items: list[dict[str, dt.datetime]]) -> list[TrainingPart]:
    """In the order given: the schemas refuse a second part dated before the first."""
    return [
        TrainingPart(position=n, starts_at=p["starts_at"], ends_at=p["ends_at"])
        for n, p in enumerate(items, start=1)
    ]


def _set_parts(training: TrainingSession, items: list[dict[str, dt.datetime]]) -> None:
    """Edit parts in place: (session, position) stays unique at every flush."""
    wanted = _parts(items)
    for part, new in zip(training.parts, wanted, strict=False):
        part.starts_at, part.ends_at = new.starts_at, new.ends_at
    del training.parts[len(wanted) :]
    training.parts.extend(wanted[len(training.parts) :])
    training.starts_at = training.parts[0].starts_at
    training.ends_at = training.parts[-1].ends_at


def create(session: Session, data: dict[str, Any], *, now: dt.datetime) -> TrainingSession:
    """A new draft."""
    training = TrainingSession(
        title=data["title"],
        format=data["format"],
        audiences=",".join(data.get("audiences", [])),
        description=data.get("description", ""),
        trainer_id=data["trainer_id"],
        capacity=data["capacity"],
        visio_url=data.get("visio_url", ""),
        state=SessionState.DRAFT,
        sequence=0,
        serial=0,
        created_at=now,
        updated_at=now,
    )
    _set_parts(training, data["parts"])
    session.add(training)
    session.flush()
    return training


def update(
    session: Session,
    training: TrainingSession,
    data: dict[str, Any],
    *,
    now: dt.datetime,
    settings: TrainingSettings,
) -> tuple[list[Registration], emails.Before | None]:
    """Apply changes; return (promoted people, the session as participants knew it when
    their calendars must be updated, else None)."""
    locked = seats.lock_training(session, training.id)
    assert locked is not None
    if training.state == SessionState.CANCELLED:
        raise Conflict("Une session annulée ne peut plus être modifiée.")
    taken = seats.count(session, training.id, seats.SEAT_HOLDING)
    if data.get("capacity", training.capacity) < taken:
        occupied = plural(taken, "place occupée", "places occupées")
        raise Conflict(
            f"La capacité ne peut pas être inférieure au nombre de places occupées ({occupied})."
        )
    before = emails.Before.of(training)
    for name in ("title", "format", "description", "trainer_id", "capacity", "visio_url"):
        if name in data:
            setattr(training, name, data[name])
    if "audiences" in data:
        training.audiences = ",".join(data["audiences"])
    if "parts" in data:
        _set_parts(training, data["parts"])
    calendar = any(name in data for name in CALENDAR_FIELDS)
    if calendar:
        training.sequence += 1
    training.updated_at = now
    session.flush()
    promoted = seats.fill_seats(session, training, now=now, settings=settings)
    return promoted, before if calendar else None


def mark_attendance(
    training: TrainingSession, reg: Registration, attended: bool | None, *, now: dt.datetime
) -> None:
    """Attendance is noted from the session's start, for confirmed participants only."""
    if now < training.starts_at:
        start = f"le {day(training.starts_at)} à {hour(training.starts_at)}"
        raise Refused("attended", f"La présence se note à partir du début de la session ({start}).")
    if reg.state != RegistrationState.CONFIRMED:
        raise Refused("attended", "Seules les personnes inscrites et confirmées ont une présence.")
    reg.attended = attended


def publish(session: Session, training: TrainingSession, *, now: dt.datetime) -> None:
    if training.state == SessionState.CANCELLED:
        raise Conflict("Une session annulée ne peut pas être publiée.")
    if training.state == SessionState.DRAFT:
        training.state, training.updated_at = SessionState.PUBLISHED, now


def cancel(session: Session, training: TrainingSession, *, now: dt.datetime) -> None:
    """Cancelled for everyone; the notices go out through `notices.notify_cancelled`."""
    seats.lock_training(session, training.id)
    if training.state != SessionState.CANCELLED:
        training.state, training.updated_at = SessionState.CANCELLED, now
        training.sequence += 1


def edit_and_notify(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    training: TrainingSession,
    data: dict[str, Any],
    *,
    now: dt.datetime,
) -> None:
    """Edit, commit, then tell confirmed participants and the newly seated."""
    promoted, before = update(session, training, data, now=now, settings=settings)
    session.commit()
    announce_promotions(mailer, settings, promoted)
    if before is None or training.state != SessionState.PUBLISHED:
        return
    for reg in session.scalars(
        select(Registration).where(
            Registration.training_id == training.id,
            Registration.state == RegistrationState.CONFIRMED,
            Registration.id.not_in([r.id for r in promoted]),
        )
    ):
        deliver(mailer, settings.mail_from, emails.session_changed(reg, training, settings, before))


def cancel_and_notify(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    training: TrainingSession,
    *,
    now: dt.datetime,
) -> None:
    cancel(session, training, now=now)
    session.commit()
    notices.notify_cancelled(session, mailer, settings, now=now, training_id=training.id)
