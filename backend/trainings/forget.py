"""Forgetting a participant: what anonymising a registration writes, and the erasure of every
registration under one address (an account deleted, backend/privacy/erasure.py).

Registrations are anonymised, not deleted: the session keeps its count of seats, waiting
positions and attendance, and no row names anyone any more. The retention job
(`jobs.purge_personal_data`) writes the same values once a session is long over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session

from backend.trainings import seats
from backend.trainings.models import ACTIVE, Registration, RegistrationState, TrainingSession
from backend.trainings.settings import TrainingSettings


def anonymous_values(now: dt.datetime) -> dict[str, Any]:
    """The columns of an anonymised registration (an address nobody owns, per row)."""
    return {
        "email": "anonyme-" + cast(Registration.id, String) + "@invalid",
        "full_name": "",
        "structure_name": "",
        "siret": None,
        "anonymised_at": now,
    }


def forget_address(
    session: Session, email: str, *, now: dt.datetime, settings: TrainingSettings
) -> list[Registration]:
    """Cancel the address's sign-ups to sessions not over (their seats go on), then anonymise
    all of its registrations; returns who got a freed seat (to tell them once committed)."""
    running = session.scalars(
        select(Registration)
        .join(TrainingSession, TrainingSession.id == Registration.training_id)
        .where(Registration.email == email, Registration.state.in_(ACTIVE))
        .where(TrainingSession.ends_at > now)  # a session over keeps who was there
        .order_by(Registration.id)
    ).all()
    promoted: list[Registration] = []
    for reg in running:
        promoted += seats.release(
            session, reg, RegistrationState.CANCELLED, now=now, settings=settings
        )
    session.execute(
        update(Registration)
        .where(Registration.email == email, Registration.anonymised_at.is_(None))
        .values(anonymous_values(now)),
        execution_options={"synchronize_session": False},
    )
    return promoted
