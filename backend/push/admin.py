"""Dead letters: pushes given up after their last attempt, for an administrator to look at."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from backend.push.models import Delivery
from notifications import mask_token

DEAD = "dead"


class NotDead(ValueError):
    """The delivery exists but is not dead-lettered: nothing to retry."""


def dead_letters(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Dead deliveries, newest first, with what an administrator needs to judge them."""
    rows = session.scalars(
        select(Delivery)
        .where(Delivery.state == DEAD)
        .options(joinedload(Delivery.notification), joinedload(Delivery.device))
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    )
    return [_describe(delivery) for delivery in rows]


def _describe(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "notification_id": delivery.notification_id,
        "title": delivery.notification.title,
        "device_id": delivery.device_id,
        "platform": delivery.device.platform,
        "token": mask_token(delivery.device.token),
        "device_active": delivery.device.active,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
    }


def retry(session: Session, delivery_id: int, now: dt.datetime) -> Delivery | None:
    """Put a dead delivery back in the queue; None when unknown, NotDead when not dead."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        return None
    if delivery.state != DEAD:
        raise NotDead(delivery.state)
    delivery.state, delivery.attempts, delivery.not_before = "pending", 0, now
    delivery.lease_until = delivery.claimed_by = None
    return delivery
