"""Status changes become inbox entries and outbox rows, in the same transaction.

Called by `backend.ingest.record`, so the ingestion endpoint and the portal sync notify the
same way. Nothing is sent here: the dispatcher reads the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.accounts.models import Membership, User
from backend.accounts.visibility import seen_by
from backend.db import utcnow
from backend.invoices.models import Invoice, StatusChange
from backend.push import preferences
from backend.push.compose import ACTION_REQUIRED, Words, category_of, status_words
from backend.push.devices import active_devices
from backend.push.models import Delivery, Notification
from backend.push.transport import wake_dispatchers

STATUS_CHANGE = "status_change"


def worth_notifying(
    changes: Sequence[StatusChange], previous_changed_at: dt.datetime | None, max_age: dt.timedelta
) -> list[StatusChange]:
    """New current statuses, oldest first; a burst keeps its action-required steps and its last.

    Changes older than the status already known (late arrivals of past steps) and stale
    ones (a first sync, a backfill) go to the history only.
    """
    horizon = utcnow() - max_age
    since = max(horizon, previous_changed_at) if previous_changed_at else horizon
    forward = sorted(
        (c for c in changes if c.occurred_at > since), key=lambda c: (c.occurred_at, c.id)
    )
    if not forward:
        return []
    return [c for c in forward[:-1] if category_of(c.code) == ACTION_REQUIRED] + [forward[-1]]


def audience(session: Session, invoice: Invoice) -> list[User]:
    """Active users allowed to see this invoice (`accounts.visibility`)."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(seen_by(invoice.structure_id, invoice.service_id), User.active.is_(True))
            .order_by(User.id)
        )
    )


def notify_status_changes(
    session: Session,
    invoice: Invoice,
    changes: Sequence[StatusChange],
    previous_changed_at: dt.datetime | None,
    *,
    max_age: dt.timedelta,
) -> list[Notification]:
    """Inbox entries and pushes for the invoice's new statuses."""
    steps = worth_notifying(changes, previous_changed_at, max_age)
    messages = [
        Message(category_of(c.code), partial(_note, invoice, c, category_of(c.code)), True)
        for c in steps
    ]
    return _fan_out(session, invoice, messages)


def notify_invoice(
    session: Session,
    invoice: Invoice,
    kind: str,
    category: str,
    words: Callable[[User], Words],
) -> list[Notification]:
    """Inbox entries and pushes about one invoice, for its users who want this category."""

    def note(user: User) -> Notification:
        text = words(user)
        return Notification(
            user_id=user.id, structure_id=invoice.structure_id, invoice_id=invoice.id,
            kind=kind, category=category, title=text.title, body=text.body,
        )  # fmt: skip

    return _fan_out(session, invoice, [Message(category, note, False)])


@dataclass(frozen=True)
class Message:
    """One thing to tell every user of an invoice who wants its category."""

    category: str
    note: Callable[[User], Notification]
    supersedes: bool  # a newer status replaces this invoice's unsent pushes


def _fan_out(session: Session, invoice: Invoice, messages: list[Message]) -> list[Notification]:
    """Inbox entry per interested user, push per active device, deferred by quiet hours.

    Each message's entries are inserted together (one flush), then its older unsent pushes are
    superseded in one query: a sync recording many invoices pays a few statements per invoice.
    """
    users = audience(session, invoice) if messages else []
    if not users:
        return []
    wanted = preferences.effective(session, [u.id for u in users], invoice.structure_id)
    devices = active_devices(session, [u.id for u in users])
    created: list[Notification] = []
    now = utcnow()
    for message in messages:
        chosen = [
            (user, choice)
            for user in users
            if (choice := wanted.get(user.id)) is not None and choice.wants(message.category)
        ]
        notes = [message.note(user) for user, _choice in chosen]
        if not notes:
            continue
        session.add_all(notes)
        session.flush()
        if message.supersedes:
            _supersede(session, notes)
        for (user, choice), note in zip(chosen, notes, strict=True):
            not_before = preferences.quiet_until(choice, now, message.category) or now
            session.add_all(
                Delivery(notification_id=note.id, device_id=device.id, not_before=not_before)
                for device in devices.get(user.id, [])
            )
        created.extend(notes)
    if created:
        wake_dispatchers(session)
    return created


def _note(invoice: Invoice, change: StatusChange, category: str, user: User) -> Notification:
    recipient = invoice.recipient.name if invoice.recipient else ""
    words = status_words(change.code, invoice.number, recipient, user.locale)
    return Notification(
        user_id=user.id, structure_id=invoice.structure_id, invoice_id=invoice.id,
        kind=STATUS_CHANGE, category=category, status_code=change.code,
        title=words.title, body=words.body,
    )  # fmt: skip


def _supersede(session: Session, notes: Sequence[Notification]) -> None:
    """A newer status replaces this invoice's older, still unsent pushes to the same users.

    An action-required status is never hidden this way: it is always pushed.
    """
    newer = {note.user_id: note.id for note in notes}
    older = select(Notification.id, Notification.user_id).where(
        Notification.user_id.in_(sorted(newer)),
        Notification.invoice_id == notes[0].invoice_id,
        Notification.id.not_in([note.id for note in notes]),
        Notification.category != ACTION_REQUIRED,
        Notification.superseded_by_id.is_(None),
    )
    pending = select(Delivery.notification_id).where(Delivery.state == "pending")
    replaced: Any = older.where(Notification.id.in_(pending))
    rows = session.execute(replaced).all()
    if not rows:
        return
    session.execute(
        update(Delivery)
        .where(Delivery.notification_id.in_([row[0] for row in rows]), Delivery.state == "pending")
        .values(state="superseded")
    )
    by_newer: dict[int, list[int]] = {}
    for old_id, user_id in rows:
        by_newer.setdefault(newer[user_id], []).append(old_id)
    for new_id, ids in by_newer.items():
        session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(superseded_by_id=new_id)
        )
