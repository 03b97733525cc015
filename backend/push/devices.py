"""Registering, refreshing and retiring the devices that receive pushes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts.signals import session_revoked
from backend.db import utcnow
from backend.push.models import Delivery, Device

PLATFORMS = ("android", "ios", "web")
# A device unseen this long has almost surely been replaced or wiped.
STALE_AFTER = dt.timedelta(days=270)
CANCELLED_ERROR = "appareil désactivé"


@dataclass(frozen=True)
class Registration:
    """What a phone sends to register; optional fields left out keep their stored value."""

    token: str
    platform: str
    locale: str | None = None
    time_zone: str | None = None
    app_version: str | None = None


def register(
    session: Session, user_id: int, auth_session_id: int | None, reg: Registration
) -> tuple[Device, bool]:
    """Create or refresh the device of a token; returns (device, created)."""
    device = session.scalar(select(Device).where(Device.token == reg.token))
    if device is None:
        device = Device(token=reg.token, user_id=user_id, platform=reg.platform, locale="fr")
        try:
            # A concurrent registration of the same token may win the unique constraint.
            with session.begin_nested():
                _apply(session, device, user_id, auth_session_id, reg)
                session.add(device)
            return device, True
        except IntegrityError:
            device = session.scalars(select(Device).where(Device.token == reg.token)).one()
    _apply(session, device, user_id, auth_session_id, reg)
    return device, False


def _apply(
    session: Session, device: Device, user_id: int, auth_session_id: int | None, reg: Registration
) -> None:
    if device.id is not None and device.user_id != user_id:
        # A phone changing hands: the previous owner's pending pushes must not reach it.
        cancel_pending(session, [device.id])
    device.user_id = user_id
    device.auth_session_id = auth_session_id
    device.platform = reg.platform
    device.locale = reg.locale or device.locale
    device.time_zone = reg.time_zone or device.time_zone
    device.app_version = reg.app_version or device.app_version
    device.active, device.deactivated_reason = True, None
    device.last_seen_at = utcnow()


def user_device(session: Session, user_id: int, device_id: int) -> Device | None:
    """One active device of the user, or None (someone else's is None too)."""
    device = session.get(Device, device_id)
    if device is None or device.user_id != user_id or not device.active:
        return None
    return device


def active_devices(session: Session, user_ids: Iterable[int]) -> dict[int, list[Device]]:
    """The active devices of each user (one query); users without any are absent."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    found: dict[int, list[Device]] = {}
    rows = session.scalars(
        select(Device).where(Device.user_id.in_(ids), Device.active).order_by(Device.id)
    )
    for device in rows:
        found.setdefault(device.user_id, []).append(device)
    return found


def list_active(session: Session, user_id: int) -> list[Device]:
    """The user's active devices, most recently seen first."""
    return list(
        session.scalars(
            select(Device)
            .where(Device.user_id == user_id, Device.active)
            .order_by(Device.last_seen_at.desc(), Device.id.desc())
        )
    )


def deactivate(session: Session, device_ids: Sequence[int], reason: str) -> int:
    """Stop pushing to these devices and cancel what was waiting for them."""
    if not device_ids:
        return 0
    session.execute(
        update(Device)
        .where(Device.id.in_(device_ids), Device.active)
        .values(active=False, deactivated_reason=reason[:120])
        .execution_options(synchronize_session="fetch")
    )
    cancel_pending(session, device_ids)
    return len(device_ids)


@session_revoked.connect
def deactivate_for_session(session: Session, auth_session_id: int, reason: str = "logout") -> int:
    """A login ends (logout, stolen refresh token): the devices registered through it stop
    receiving pushes."""
    ids = list(
        session.scalars(
            select(Device.id).where(Device.auth_session_id == auth_session_id, Device.active)
        )
    )
    return deactivate(session, ids, reason)


def deactivate_stale(session: Session, now: dt.datetime) -> int:
    """Devices unseen for 270 days; returns how many were deactivated."""
    ids = list(
        session.scalars(
            select(Device.id).where(Device.active, Device.last_seen_at < now - STALE_AFTER)
        )
    )
    return deactivate(session, ids, "stale")


def cancel_pending(session: Session, device_ids: Sequence[int]) -> None:
    session.execute(
        update(Delivery)
        .where(Delivery.device_id.in_(device_ids), Delivery.state == "pending")
        .values(state="cancelled", last_error=CANCELLED_ERROR)
        .execution_options(synchronize_session=False)
    )
