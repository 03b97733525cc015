"""Seat assignment: sign-up, opt-in, cancellation and promotion, serialised per session.

Every change to who holds a seat starts with `lock_training`, an UPDATE of the session
row: PostgreSQL holds that row lock until commit, SQLite its database write lock, so
counting seats and assigning one cannot interleave between two requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from backend.trainings.models import (
    ACTIVE,
    SEAT_HOLDING,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from backend.trainings.settings import TrainingSettings


class SignupClosed(Exception):
    """Sign-up refused; the message is French and shown as is."""


@dataclass(frozen=True)
class Applicant:
    email: str
    full_name: str
    structure_name: str
    siret: str | None = None


def lock_training(session: Session, training_id: int) -> TrainingSession | None:
    """Take the session's seat lock for this transaction; None if there is no such session."""
    serial = session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == training_id)
        .values(serial=TrainingSession.serial + 1)
        .returning(TrainingSession.serial),
        execution_options={"synchronize_session": False},
    ).scalar()
    if serial is None:
        return None
    return session.get(TrainingSession, training_id, populate_existing=True)


def count(session: Session, training_id: int, states: tuple[RegistrationState, ...]) -> int:
    query = select(func.count()).where(
        Registration.training_id == training_id, Registration.state.in_(states)
    )
    return int(session.scalar(query) or 0)


def waitlist_closed(
    training: TrainingSession, now: dt.datetime, settings: TrainingSettings
) -> bool:
    return now >= training.starts_at - settings.waitlist_closes


def _confirm_by(
    training: TrainingSession, now: dt.datetime, settings: TrainingSettings
) -> dt.datetime:
    return min(now + settings.confirm_delay, training.starts_at)


def sign_up(
    session: Session,
    training_id: int,
    applicant: Applicant,
    *,
    now: dt.datetime,
    settings: TrainingSettings,
) -> tuple[Registration, bool]:
    """Register someone (seat held pending opt-in, or waiting); (registration, is new)."""
    training = lock_training(session, training_id)
    if training is None or training.state == SessionState.DRAFT:
        raise LookupError(training_id)
    if training.state == SessionState.CANCELLED or training.starts_at <= now:
        raise SignupClosed("Les inscriptions à cette session sont closes.")
    reg = session.scalar(
        select(Registration).where(
            Registration.training_id == training_id, Registration.email == applicant.email
        )
    )
    if reg is not None and reg.state in ACTIVE:
        return reg, False
    seat = (
        count(session, training_id, SEAT_HOLDING) < training.capacity
        and count(session, training_id, (RegistrationState.WAITING,)) == 0
    )
    if not seat and waitlist_closed(training, now, settings):
        raise SignupClosed("Cette session est complète et sa liste d'attente est close.")
    reg = reg or Registration(training_id=training_id, email=applicant.email)
    reg.full_name, reg.structure_name = applicant.full_name, applicant.structure_name
    reg.siret, reg.position, reg.consent_at, reg.created_at = (
        applicant.siret,
        training.serial,
        now,
        now,
    )
    reg.state = RegistrationState.PENDING if seat else RegistrationState.WAITING
    reg.seated_at = now if seat else None
    reg.confirm_by = _confirm_by(training, now, settings)
    reg.email_confirmed_at = reg.cancelled_at = reg.attended = None
    session.add(reg)
    session.flush()
    return reg, True


def confirm_email(session: Session, registration_id: int, *, now: dt.datetime) -> bool:
    """Opt-in: a held seat becomes confirmed; True when something changed."""
    reg = session.get(Registration, registration_id)
    if reg is None or lock_training(session, reg.training_id) is None:
        raise LookupError(registration_id)
    session.refresh(reg)
    if reg.state not in ACTIVE or reg.email_confirmed_at is not None:
        return False
    reg.email_confirmed_at, reg.confirm_by = now, None
    if reg.state == RegistrationState.PENDING:
        reg.state = RegistrationState.CONFIRMED
    return True


def release(
    session: Session,
    reg: Registration,
    state: RegistrationState,
    *,
    now: dt.datetime,
    settings: TrainingSettings,
) -> list[Registration]:
    """End a registration (cancelled or expired); return who got the freed seat."""
    training = lock_training(session, reg.training_id)
    session.refresh(reg)
    if training is None or reg.state not in ACTIVE:
        return []
    held = reg.state in SEAT_HOLDING
    if reg.state == RegistrationState.CONFIRMED:
        # Their calendar holds our invitation: the CANCEL they get must outrank it (RFC 5546).
        training.sequence += 1
    reg.state, reg.confirm_by = state, None
    if state == RegistrationState.CANCELLED:
        reg.cancelled_at = now
    session.flush()
    return fill_seats(session, training, now=now, settings=settings) if held else []


def fill_seats(
    session: Session, training: TrainingSession, *, now: dt.datetime, settings: TrainingSettings
) -> list[Registration]:
    """Give free seats to the waiting list, first come first served (caller holds the lock)."""
    if training.state != SessionState.PUBLISHED or training.starts_at <= now:
        return []
    free = training.capacity - count(session, training.id, SEAT_HOLDING)
    if free <= 0:
        return []
    promoted = list(
        session.scalars(
            select(Registration)
            .where(
                Registration.training_id == training.id,
                Registration.state == RegistrationState.WAITING,
            )
            .order_by(Registration.position, Registration.id)
            .limit(free)
        )
    )
    for reg in promoted:
        reg.seated_at = now
        if reg.email_confirmed_at is not None:
            reg.state = RegistrationState.CONFIRMED
        else:
            reg.state = RegistrationState.PENDING
            reg.confirm_by = _confirm_by(training, now, settings)
    session.flush()
    return promoted


def waiting_rank(session: Session, reg: Registration) -> int:
    """1 for the first person on the waiting list."""
    ahead = select(func.count()).where(
        Registration.training_id == reg.training_id,
        Registration.state == RegistrationState.WAITING,
        Registration.position < reg.position,
    )
    return int(session.scalar(ahead) or 0) + 1
