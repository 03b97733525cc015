"""Reading sessions for the public calendar and the trainers' screens."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session, selectinload

from backend.timeutil import PARIS
from backend.trainings.models import (
    Format,
    Registration,
    RegistrationState,
    SessionState,
    TrainingSession,
)
from backend.trainings.present import AUDIENCES, FORMAT_LABELS
from backend.trainings.seats import waitlist_closed
from backend.trainings.settings import TrainingSettings


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """A Paris calendar month (AAAA-MM) as UTC bounds."""
    year, number = (int(x) for x in month.split("-"))
    start = dt.datetime(year, number, 1, tzinfo=PARIS)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=PARIS)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _loaded() -> Any:
    return select(TrainingSession).options(
        selectinload(TrainingSession.parts), selectinload(TrainingSession.trainer)
    )


def upcoming(
    session: Session,
    now: dt.datetime,
    *,
    month: str | None = None,
    format: str | None = None,
    audience: str | None = None,
) -> list[TrainingSession]:
    """Published sessions that have not started, soonest first."""
    query = _loaded().where(
        TrainingSession.state == SessionState.PUBLISHED, TrainingSession.starts_at > now
    )
    if month:
        start, end = month_bounds(month)
        query = query.where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    if format:
        query = query.where(TrainingSession.format == Format(format))
    if audience:
        tags = literal(",") + TrainingSession.audiences + literal(",")
        query = query.where(tags.like(f"%,{audience},%"))
    return list(session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)))


def get(session: Session, training_id: int) -> TrainingSession | None:
    return session.scalar(_loaded().where(TrainingSession.id == training_id))


def managed(
    session: Session, trainer_id: int | None, state: str | None, now: dt.datetime
) -> list[TrainingSession]:
    """Every session (drafts included) of a trainer, or of everyone for an admin: the next
    ones first, soonest first (those under way too), then past ones, latest first."""
    query = _loaded()
    if trainer_id is not None:
        query = query.where(TrainingSession.trainer_id == trainer_id)
    if state:
        query = query.where(TrainingSession.state == SessionState(state))
    found = list(session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)))
    return [t for t in found if t.ends_at > now] + [t for t in reversed(found) if t.ends_at <= now]


def feed(session: Session, now: dt.datetime) -> list[TrainingSession]:
    """The calendar feed: published and cancelled sessions from the last 30 days on."""
    query = _loaded().where(
        TrainingSession.state != SessionState.DRAFT,
        TrainingSession.ends_at > now - dt.timedelta(days=30),
    )
    return list(session.scalars(query.order_by(TrainingSession.starts_at)))


def counts(session: Session, ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Registrations per state for each session, in one query."""
    result: dict[int, Counter[str]] = {i: Counter() for i in ids}
    if not ids:
        return result
    rows = session.execute(
        select(Registration.training_id, Registration.state, func.count())
        .where(Registration.training_id.in_(ids))
        .group_by(Registration.training_id, Registration.state)
    )
    for training_id, state, number in rows:
        result[training_id][RegistrationState(state).value] = number
    return result


def public_view(
    training: TrainingSession,
    tally: Counter[str],
    settings: TrainingSettings,
    now: dt.datetime,
) -> dict[str, Any]:
    """What the site and the phone show of a session."""
    taken = tally["pending"] + tally["confirmed"]
    seats_left = max(training.capacity - taken, 0) if tally["waiting"] == 0 else 0
    open_ = training.state == SessionState.PUBLISHED and training.starts_at > now
    waiting_open = open_ and not waitlist_closed(training, now, settings)
    return {
        "id": training.id,
        "title": training.title,
        "format": training.format.value,
        "format_label": FORMAT_LABELS[training.format],
        "audiences": [{"code": a, "label": AUDIENCES.get(a, a)} for a in training.audience_list],
        "description": training.description,
        "trainer_name": training.trainer.full_name,
        "starts_at": training.starts_at,
        "ends_at": training.ends_at,
        "parts": training.parts,
        "capacity": training.capacity,
        "seats_left": seats_left,
        "waiting_list_open": waiting_open and seats_left == 0,
        "registration_open": open_ and (seats_left > 0 or waiting_open),
        "state": training.state.value,
        "calendar_url": settings.url(f"/api/v1/trainings/{training.id}/calendar.ics"),
    }


def view_of(
    session: Session, training: TrainingSession, settings: TrainingSettings, now: dt.datetime
) -> dict[str, Any]:
    """The public view of one session, with its counts read now."""
    return public_view(training, counts(session, [training.id])[training.id], settings, now)


def managed_view(
    training: TrainingSession, tally: Counter[str], settings: TrainingSettings, now: dt.datetime
) -> dict[str, Any]:
    view = public_view(training, tally, settings, now)
    view.update(
        trainer_id=training.trainer_id,
        visio_url=training.visio_url,
        sequence=training.sequence,
        confirmed=tally["confirmed"],
        pending=tally["pending"],
        waiting=tally["waiting"],
    )
    return view
