"""No overbooking: 50 people sign up and confirm at the same moment for 10 seats."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backend.db import db, utcnow
from backend.trainings import seats
from backend.trainings.models import Registration, RegistrationState
from backend.trainings.settings import TrainingSettings
from tests.trainings.conftest import make_training

T = TypeVar("T")
PEOPLE, SEATS = 50, 10


def _all_at_once(engine: Engine, work: Callable[[Session, int], T]) -> list[T]:
    """Run work(session, n) for every person in its own thread, session and connection."""
    barrier = threading.Barrier(PEOPLE)

    def run(n: int) -> T:
        with Session(engine) as session:
            barrier.wait()
            result = work(session, n)
            session.commit()
            return result

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        return list(pool.map(run, range(PEOPLE)))


@pytest.mark.postgres_only
def test_fifty_simultaneous_sign_ups_for_ten_seats(
    app_ctx: Any, trainer: Any, settings: TrainingSettings
) -> None:
    training_id = make_training(trainer.id, capacity=SEATS).id
    db.session.commit()
    engine = create_engine(db.engine.url, poolclass=NullPool)  # one connection per thread
    now = utcnow()

    def sign_up(session: Session, n: int) -> int:
        applicant = seats.Applicant(f"p{n}@example.fr", f"Personne {n}", "Structure")
        reg, _ = seats.sign_up(session, training_id, applicant, now=now, settings=settings)
        return reg.id

    ids = _all_at_once(engine, sign_up)
    _all_at_once(engine, lambda session, n: seats.confirm_email(session, ids[n], now=now))

    rows = db.session.scalars(
        select(Registration)
        .where(Registration.training_id == training_id)
        .order_by(Registration.position)
    ).all()
    assert [r.position for r in rows] == list(range(1, PEOPLE + 1))  # one arrival order
    states = [r.state for r in rows]
    assert states == [RegistrationState.CONFIRMED] * SEATS + [RegistrationState.WAITING] * (
        PEOPLE - SEATS
    )
    assert all(r.email_confirmed_at is not None for r in rows)
    waiting = [r for r in rows if r.state == RegistrationState.WAITING]
    assert [seats.waiting_rank(db.session, r) for r in waiting] == list(range(1, 41))
    engine.dispose()
