"""A lease in the database: a second scheduler started by mistake stays on standby."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from backend.db import insert_ignoring_conflicts, utcnow
from backend.scheduler.models import SchedulerLease

LEASE_NAME = "scheduler"


def try_acquire(
    session: Session, holder: str, ttl: dt.timedelta, now: dt.datetime | None = None
) -> bool:
    """Take or renew the lease; True when this holder is the active scheduler."""
    now = now or utcnow()
    insert_ignoring_conflicts(
        session,
        SchedulerLease.__table__,
        [{"name": LEASE_NAME, "holder": holder, "expires_at": now + ttl}],
    )
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .returning(SchedulerLease.holder)
    ).all()
    session.commit()
    return bool(result)


def release(session: Session, holder: str) -> None:
    """Give the lease up at a clean stop, so a standby can take over at once."""
    session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    session.commit()
