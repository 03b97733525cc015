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
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient
from backend.db import utcnow
from backend.invoices.models import Invoice
from backend.push.compose import HIGH_PRIORITY, TTL_SECONDS, status_words
from backend.push.devices import CANCELLED_ERROR
from backend.push.models import Delivery, Device, Notification
from notifications import Outcome, PushMessage, PushTransport, SendResult, mask_token

log = logging.getLogger(__name__)
CHANNEL = "relais_push"
LEASE = dt.timedelta(seconds=60)
BATCH = 500  # rows claimed, sent and recorded together (FCM's send_each limit)
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
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    session.commit()
    return ids, sum(1 for row in rows if row[1] == "sending")


@dataclass(frozen=True, slots=True)
class Claimed:
    """What sending one claimed row needs: plain values, read in one query (no ORM objects)."""

    id: int
    attempts: int
    device_id: int
    token: str
    platform: str
    locale: str
    device_active: bool
    notification_id: int
    kind: str
    category: str
    status_code: str | None
    invoice_id: int | None
    title: str
    body: str
    number: str | None
    recipient: str | None


def _load(session: Session, ids: Sequence[int]) -> list[Claimed]:
    rows = session.execute(
        select(
            Delivery.id, Delivery.attempts, Device.id, Device.token, Device.platform,
            Device.locale, Device.active, Notification.id, Notification.kind,
            Notification.category, Notification.status_code, Notification.invoice_id,
            Notification.title, Notification.body, Invoice.number, Recipient.name,
        )
        .join(Notification, Notification.id == Delivery.notification_id)
        .join(Device, Device.id == Delivery.device_id)
        .outerjoin(Invoice, Invoice.id == Notification.invoice_id)
        .outerjoin(Recipient, Recipient.id == Invoice.recipient_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()  # fmt: skip
    return [Claimed(*list(row)) for row in rows]


def message_for(row: Claimed) -> PushMessage:
    """The push for one device, in the device's language, collapsing per invoice."""
    title, body = row.title, row.body
    if row.status_code and row.number is not None:
        words = status_words(row.status_code, row.number, row.recipient or "", row.locale)
        title, body = words.title, words.body
    data = {"notification_id": str(row.notification_id), "kind": row.kind,
            "category": row.category}  # fmt: skip
    if row.invoice_id:
        data |= {"invoice_id": str(row.invoice_id), "status": row.status_code or ""}
    collapse = (
        f"invoice-{row.invoice_id}" if row.invoice_id else f"{row.kind}-{row.notification_id}"
    )
    return PushMessage(
        token=row.token, platform=row.platform, title=title, body=body, data=data,  # type: ignore[arg-type]
        collapse_key=collapse, high_priority=row.category in HIGH_PRIORITY,
        ttl_seconds=TTL_SECONDS.get(row.category, 86400),
    )  # fmt: skip


def dispatch_once(
    session: Session,
    transport: PushTransport,
    holder: str,
    now: dt.datetime | None = None,
    limit: int = BATCH,
    lease: dt.timedelta = LEASE,
) -> Stats:
    """Claim one batch (committed: the lease protects it), send it, record every outcome in
    one transaction."""
    now = now or utcnow()
    ids, reclaimed = claim(session, holder, now, limit, lease)
    stats = Stats(claimed=len(ids), reclaimed=reclaimed)
    if not ids:
        return stats
    if reclaimed:
        log.warning("re-sending %d push(es) whose dispatcher died mid-send", reclaimed)
    outcomes = Outcomes(now)
    sendable = []
    for row in _load(session, ids):
        if row.device_active:
            sendable.append((row, message_for(row)))
        else:
            outcomes.cancel(row.id, CANCELLED_ERROR)
            stats.cancelled += 1
    results = asyncio.run(transport.send([m for _, m in sendable])) if sendable else []
    outcomes.sent_at = utcnow()
    for (row, _message), result in zip(sendable, results, strict=True):
        outcomes.add(row, result, stats)
    outcomes.write(session)
    session.commit()
    return stats


@dataclass
class Outcomes:
    """A batch's results, written with a few executemany UPDATEs instead of one per row."""

    now: dt.datetime
    sent_at: dt.datetime | None = None
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    disabled: dict[int, SendResult] = field(default_factory=dict)

    def _put(self, kind: str, **values: Any) -> None:
        self.rows.setdefault(kind, []).append({"lease_until": None, **values})

    def cancel(self, delivery_id: int, error: str) -> None:
        self._put("cancelled", id=delivery_id, state="cancelled", last_error=error)

    def add(self, row: Claimed, result: SendResult, stats: Stats) -> None:
        if result.outcome is Outcome.SENT:
            self._put("sent", id=row.id, state="sent", sent_at=self.sent_at,
                      message_id=result.message_id)  # fmt: skip
            stats.sent += 1
            stats.message_ids.append(result.message_id or "")
            return
        error = f"{result.error_code or result.outcome.value}: {result.detail}"[:2000]
        if result.outcome is Outcome.RETRY and row.attempts < MAX_ATTEMPTS:
            wait = dt.timedelta(seconds=_backoff(row.attempts, result.retry_after))
            self._put("retry", id=row.id, state="pending", not_before=self.now + wait,
                      last_error=error)  # fmt: skip
            stats.retried += 1
        elif result.outcome in (Outcome.INVALID_TOKEN, Outcome.AUTH_ERROR):
            self.disabled.setdefault(row.device_id, result)
            self.cancel(row.id, error)
            stats.cancelled += 1
            if result.outcome is Outcome.AUTH_ERROR:
                side = (
                    "APNs/web push" if result.error_code == "THIRD_PARTY_AUTH_ERROR" else "sender"
                )
                log.error(
                    "push credentials refused for %s device %s (%s): check the %s configuration",
                    row.platform, mask_token(row.token), result.error_code, side,
                )  # fmt: skip
        else:
            self._put("dead", id=row.id, state="dead", last_error=error)
            stats.dead += 1
            log.error("push %s dead-lettered after %d attempt(s): %s", row.id, row.attempts,
                      error)  # fmt: skip

    def write(self, session: Session) -> None:
        for values in self.rows.values():
            session.execute(update(Delivery), values)  # by primary key, one executemany
        for device_id, result in self.disabled.items():
            _disable_device(session, device_id, result)


def _backoff(attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never sooner than the provider asked."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1))
    return max(random.uniform(ceiling / 2, ceiling), retry_after or 0.0)


def _disable_device(session: Session, device_id: int, result: SendResult) -> None:
    """A dead token is never retried: the device is deactivated, its waiting pushes cancelled."""
    reason = (result.error_code or result.outcome.value)[:120]
    session.execute(
        update(Device).where(Device.id == device_id).values(active=False, deactivated_reason=reason)
    )
    session.execute(
        update(Delivery)
        .where(Delivery.device_id == device_id, Delivery.state == "pending")
        .values(state="cancelled", last_error=CANCELLED_ERROR)
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
