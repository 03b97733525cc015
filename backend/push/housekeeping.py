"""Daily push housekeeping: retire forgotten devices, prune finished outbox rows."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, delete, or_
from sqlalchemy.orm import Session

from backend.push import devices
from backend.push.models import Delivery

log = logging.getLogger(__name__)
DELIVERIES_KEPT = dt.timedelta(days=30)
# Rows that will never be sent again; pending, sending and dead ones are kept.
FINISHED = ("sent", "superseded", "cancelled")


def deactivate_stale_devices(session: Session, now: dt.datetime) -> None:
    """Deactivate devices unseen for 270 days."""
    count = devices.deactivate_stale(session, now)
    if count:
        log.info("deactivated %d device(s) unseen for %d days", count, devices.STALE_AFTER.days)


def prune_deliveries(session: Session, now: dt.datetime) -> None:
    """Delete finished deliveries older than 30 days."""
    cutoff = now - DELIVERIES_KEPT
    result = session.execute(
        delete(Delivery)
        .where(
            Delivery.state.in_(FINISHED),
            or_(
                Delivery.sent_at < cutoff,
                and_(Delivery.sent_at.is_(None), Delivery.created_at < cutoff),
            ),
        )
        .execution_options(synchronize_session=False)
        .returning(Delivery.id)
    )
    count = len(result.all())
    if count:
        log.info("pruned %d finished push deliveries", count)
