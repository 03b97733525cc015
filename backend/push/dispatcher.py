"""Send the outbox: claim due deliveries in batches, push them, record what happened.

On PostgreSQL several dispatchers share the load (`FOR UPDATE SKIP LOCKED` and a lease) and
wake up on NOTIFY; on SQLite a single one polls. A dispatcher that dies mid-batch leaves its
rows "sending" until their lease expires; they are then sent again, and those re-sends are
the only possible duplicates (a crash between the provider's answer and our commit).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from backend.accounts.models import Recipient
from backend.db import utcnow
from backend.invoices.models import Invoice
from backend.push.compose import HIGH_PRIORITY, TTL_SECONDS, status_words
from backend.push.models import Delivery, Device, Notification
from notifications import Outcome, PushMessage, PushTransport, SendResult, mask_token

log = logging.getLogger(__name__)
CHANNEL = "relais_push"
LEASE = dt.timedelta(seconds=60)
BATCH = 500  # FCM's send_each limit
MAX_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_CAP = 5.0, 3600.0


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    cancelled: int = 0
    reclaimed: int = 0
    message_ids: list[str] = field(default_factory=list)


def claim(
    session: Session, holder: str, now: dt.datetime, limit: int = BATCH, lease: dt.timedelta = LEASE
) -> tuple[list[int], int]:
    """Take up to `limit` due rows (and rows whose dispatcher died); return ids and re-claims."""
    due = or_(
        and_(Delivery.state == "pending", Delivery.not_before <= now),
        and_(Delivery.state == "sending", Delivery.lease_until < now),
    )
    query = (
        select(Delivery.id, Delivery.state).where(due).order_by(Delivery.not_before, Delivery.id)
    )
    query = query.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    ids = [row[0] for row in rows]
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(state="sending", lease_until=now + lease, claimed_by=holder,
                    attempts=Delivery.attempts + 1)
        )  # fmt: skip
    session.commit()
    return ids, sum(1 for row in rows if row[1] == "sending")


def _load(session: Session, ids: Sequence[int]) -> list[tuple[Delivery, str | None, str | None]]:
    rows = session.execute(
        select(Delivery, Invoice.number, Recipient.name)
        .join(Notification, Notification.id == Delivery.notification_id)
        .outerjoin(Invoice, Invoice.id == Notification.invoice_id)
        .outerjoin(Recipient, Recipient.id == Invoice.recipient_id)
        .where(Delivery.id.in_(ids))
        .options(joinedload(Delivery.notification), joinedload(Delivery.device))
        .order_by(Delivery.id)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def message_for(delivery: Delivery, number: str | None, recipient: str | None) -> PushMessage:
    """The push for one device, in the device's language, collapsing per invoice."""
    note, device = delivery.notification, delivery.device
    title, body = note.title, note.body
    if note.status_code and number is not None:
        words = status_words(note.status_code, number, recipient or "", device.locale)
        title, body = words.title, words.body
    data = {"notification_id": str(note.id), "kind": note.kind, "category": note.category}
    if note.invoice_id:
        data |= {"invoice_id": str(note.invoice_id), "status": note.status_code or ""}
    collapse = f"invoice-{note.invoice_id}" if note.invoice_id else f"{note.kind}-{note.id}"
    return PushMessage(
        token=device.token, platform=device.platform, title=title, body=body, data=data,  # type: ignore[arg-type]
        collapse_key=collapse, high_priority=note.category in HIGH_PRIORITY,
        ttl_seconds=TTL_SECONDS.get(note.category, 86400),
    )  # fmt: skip


def dispatch_once(
    session: Session,
    transport: PushTransport,
    holder: str,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    lease: dt.timedelta = LEASE,
) -> Stats:
    """Claim one batch, send it, and record each outcome."""
    now = now or utcnow()
    ids, reclaimed = claim(session, holder, now, limit, lease)
    stats = Stats(claimed=len(ids), reclaimed=reclaimed)
    if not ids:
        return stats
    if reclaimed:
        log.warning("re-sending %d push(es) whose dispatcher died mid-send", reclaimed)
    loaded = _load(session, ids)
    sendable = []
    for delivery, number, recipient in loaded:
        if not delivery.device.active:
            delivery.state, delivery.last_error = "cancelled", "appareil désactivé"
            stats.cancelled += 1
        else:
            sendable.append((delivery, message_for(delivery, number, recipient)))
    results = asyncio.run(transport.send([m for _, m in sendable])) if sendable else []
    for (delivery, _message), result in zip(sendable, results, strict=True):
        _record(session, delivery, result, now, stats)
    session.commit()
    return stats


def _record(
    session: Session, delivery: Delivery, result: SendResult, now: dt.datetime, stats: Stats
) -> None:
    delivery.lease_until = None
    if result.outcome is Outcome.SENT:
        delivery.state, delivery.sent_at, delivery.message_id = "sent", utcnow(), result.message_id
        stats.sent += 1
        stats.message_ids.append(result.message_id or "")
        return
    delivery.last_error = f"{result.error_code or result.outcome.value}: {result.detail}"[:2000]
    if result.outcome is Outcome.RETRY and delivery.attempts < MAX_ATTEMPTS:
        delivery.state = "pending"
        delivery.not_before = now + dt.timedelta(
            seconds=_backoff(delivery.attempts, result.retry_after)
        )
        stats.retried += 1
    elif result.outcome in (Outcome.INVALID_TOKEN, Outcome.AUTH_ERROR):
        _disable_device(session, delivery.device, result)
        delivery.state = "cancelled"
        stats.cancelled += 1
    else:
        delivery.state = "dead"
        stats.dead += 1
        log.error("push %s dead-lettered after %d attempt(s): %s", delivery.id,
                  delivery.attempts, delivery.last_error)  # fmt: skip


def _backoff(attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never sooner than the provider asked."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
    return max(random.uniform(ceiling / 2, ceiling), retry_after or 0.0)


def _disable_device(session: Session, device: Device, result: SendResult) -> None:
    """A dead token is never retried; a credentials error is loud."""
    device.active = False
    device.deactivated_reason = (result.error_code or result.outcome.value)[:120]
    if result.outcome is Outcome.AUTH_ERROR:
        side = "APNs/web push" if result.error_code == "THIRD_PARTY_AUTH_ERROR" else "sender"
        log.error(
            "push credentials refused for %s device %s (%s): check the %s configuration",
            device.platform, mask_token(device.token), result.error_code, side,
        )  # fmt: skip
    session.execute(
        update(Delivery)
        .where(Delivery.device_id == device.id, Delivery.state == "pending")
        .values(state="cancelled", last_error="appareil désactivé")
    )


def run_forever(
    session_factory: Callable[[], Session],
    transport: PushTransport,
    holder: str,
    stop: threading.Event,
    wait: Callable[[float], None] | None = None,
    active: Callable[[], bool] = lambda: True,
    lease: dt.timedelta = LEASE,
) -> None:
    """Dispatch until `stop` is set; between empty batches, wait for a wake-up or a short poll."""
    pause = wait or stop.wait
    while not stop.is_set():
        if not active():
            pause(1.0)
            continue
        session = session_factory()
        try:
            stats = dispatch_once(session, transport, holder, lease=lease)
        except Exception:
            session.rollback()
            log.exception("push dispatch failed")
            stats = Stats()
        finally:
            session.close()
        if stats.claimed < BATCH:
            pause(0.5)
