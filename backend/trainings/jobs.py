"""Scheduled jobs: plain functions; the scheduler passes the session, mailer, settings, now."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.mail import Mailer
from backend.trainings import emails, notices, seats
from backend.trainings.forget import anonymous_values
from backend.trainings.models import (
    ACTIVE,
    Registration,
    RegistrationState,
    SessionState,
    TrainingPart,
    TrainingSession,
)
from backend.trainings.service import announce_promotions
from backend.trainings.settings import TrainingSettings

log = logging.getLogger(__name__)


def reminder_kind(hours: float, part: TrainingPart) -> str:
    return f"reminder-{hours:g}h-part{part.position}"


def _due_reminders(
    session: Session, settings: TrainingSettings, now: dt.datetime
) -> list[tuple[Registration, TrainingPart, float]]:
    """(registration, part, hours) whose reminder time has come and is the latest due."""
    horizon = now + dt.timedelta(hours=max(settings.reminder_hours, default=0))
    rows = session.execute(
        select(Registration, TrainingPart)
        .join(TrainingPart, TrainingPart.training_id == Registration.training_id)
        .join(TrainingSession, TrainingSession.id == Registration.training_id)
        .where(
            TrainingSession.state == SessionState.PUBLISHED,
            Registration.state == RegistrationState.CONFIRMED,
            TrainingPart.starts_at > now,
            TrainingPart.starts_at <= horizon,
        )
        .order_by(TrainingPart.starts_at, Registration.id)
    ).all()
    due = []
    for reg, part in rows:
        passed = [
            h for h in settings.reminder_hours if part.starts_at - dt.timedelta(hours=h) <= now
        ]
        # Only the nearest reminder: a scheduler that was down does not send "tomorrow" at H-1.
        hours = min(passed, default=None)
        # No reminder whose moment passed before the person held a confirmed seat.
        seated = max(t for t in (reg.email_confirmed_at, reg.seated_at, reg.created_at) if t)
        if hours is not None and seated < part.starts_at - dt.timedelta(hours=hours):
            due.append((reg, part, hours))
    return due


def send_due_reminders(
    session: Session, mailer: Mailer, now: dt.datetime, settings: TrainingSettings
) -> int:
    """Reminders before each part (REMINDER_HOURS), each sent once; also retries notices."""
    sent = 0
    for reg, part, hours in _due_reminders(session, settings, now):
        training = reg.training
        sent += notices.send_once(
            session,
            mailer,
            settings,
            reg,
            reminder_kind(hours, part),
            lambda r=reg, t=training, p=part, h=hours: emails.reminder(r, t, p, settings, h),  # type: ignore[misc]
            now,
        )
    sent += notices.notify_cancelled(session, mailer, settings, now=now)
    session.commit()  # end the read transaction: on SQLite it holds the write lock
    return sent


def expire_unconfirmed(
    session: Session, mailer: Mailer, now: dt.datetime, settings: TrainingSettings
) -> int:
    """Drop sign-ups never confirmed in time; their seats go to the waiting list."""
    stale = list(
        session.scalars(
            select(Registration).where(
                Registration.state.in_(ACTIVE),
                Registration.email_confirmed_at.is_(None),
                Registration.confirm_by <= now,
            )
        )
    )
    for reg in stale:
        promoted = seats.release(
            session, reg, RegistrationState.EXPIRED, now=now, settings=settings
        )
        session.commit()
        announce_promotions(mailer, settings, promoted)
    session.commit()
    return len(stale)


def purge_personal_data(session: Session, now: dt.datetime, settings: TrainingSettings) -> int:
    """Anonymise participants of sessions ended more than RETENTION_DAYS ago."""
    ended = select(TrainingSession.id).where(TrainingSession.ends_at < now - settings.retention)
    result = session.execute(
        update(Registration)
        .where(Registration.training_id.in_(ended), Registration.anonymised_at.is_(None))
        .values(anonymous_values(now)),
        execution_options={"synchronize_session": False},
    )
    session.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.info("anonymised %d registrations", count)
    return count
