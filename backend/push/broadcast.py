"""Notices that are not about one invoice: service notices, and messages to managers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, User
from backend.accounts.roles import Action, roles_that_may
from backend.db import utcnow
from backend.push.compose import ACCOUNT_NOTICE, SERVICE_NOTICE
from backend.push.models import Delivery, Device, Notification, NotificationSettings
from backend.push.transport import wake_dispatchers


def _queue(
    session: Session,
    user_ids: list[int],
    kind: str,
    title: str,
    body: str,
    structure_id: int | None = None,
) -> int:
    """One inbox entry per user and one push per active device, in bulk."""
    if not user_ids:
        return 0
    now = utcnow()
    rows = [
        {"user_id": uid, "structure_id": structure_id, "kind": kind, "category": kind,
         "title": title, "body": body, "created_at": now}
        for uid in user_ids
    ]  # fmt: skip
    notes = session.execute(
        insert(Notification).returning(Notification.id, Notification.user_id), rows
    ).all()
    by_user = {user_id: note_id for note_id, user_id in notes}
    devices = session.execute(
        select(Device.id, Device.user_id).where(Device.user_id.in_(user_ids), Device.active)
    ).all()
    if devices:
        session.execute(insert(Delivery), [
            {"notification_id": by_user[user_id], "device_id": device_id, "not_before": now,
             "state": "pending", "attempts": 0, "created_at": now}
            for device_id, user_id in devices
        ])  # fmt: skip
        wake_dispatchers(session)
    return len(notes)


@dataclass
class ServiceNotices:
    """Publishes to every user who accepts service notices (maintenance, incidents)."""

    session: Session

    def publish_service_notice(self, title: str, body: str, data: dict[str, str]) -> bool:
        opted_out = select(NotificationSettings.user_id).where(
            NotificationSettings.service_notices.is_(False)
        )
        users = self.session.scalars(
            select(User.id).where(User.active, User.id.not_in(opted_out))
        ).all()
        _queue(self.session, list(users), SERVICE_NOTICE, title, body)
        self.session.commit()
        return True


def notify_managers(session: Session, structure_id: int, title: str, body: str) -> int:
    """Tell a structure's managers (main and others) something about their account."""
    managers = session.scalars(
        select(Membership.user_id).where(
            Membership.structure_id == structure_id,
            Membership.role.in_(roles_that_may(Action.HEAR_OF_TECHNICAL_ACCOUNT)),
        )
    ).all()
    return _queue(session, list(managers), ACCOUNT_NOTICE, title, body, structure_id)


def notify_users(
    session: Session, user_ids: list[int], title: str, body: str, structure_id: int | None = None
) -> int:
    """Tell some people something about their account (a join request, its answer)."""
    return _queue(session, user_ids, ACCOUNT_NOTICE, title, body, structure_id)
