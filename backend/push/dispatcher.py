"""Send the outbox: claim due deliveries in batches, push them, record what happened.

On PostgreSQL several dispatchers share the load (`FOR UPDATE SKIP LOCKED` and a lease) and
wake up on NOTIFY; on SQLite a single one polls. A dispatcher that dies mid-batch leaves its
rows "sending" until their lease expires; they are then sent again, and those re-sends are
the only possible duplicates (a crash between the provider's answer and our commit): at most
one batch per dispatcher death. A dispatcher records an outcome only for rows it still holds
(a slow one whose lease ran out leaves them to the one that took them over), and a row whose
dispatchers keep dying while sending it is dead-lettered after MAX_ATTEMPTS claims.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient
from backend.db import utcnow
from backend.invoices.models import Invoice
from backend.push.compose import ACCOUNT_NOTICE, HIGH_PRIORITY, TTL_SECONDS, status_words
from backend.push.devices import CANCELLED_ERROR
from backend.push.models import Delivery, Device, Notification
from notifications import Outcome, PushMessage, PushTransport, SendResult, mask_token

log = logging.getLogger(__name__)
CHANNEL = "relais_push"
LEASE = dt.timedelta(seconds=60)
BATCH = 500  # rows claimed, sent and recorded together (FCM's send_each limit)
MAX_ATTEMPTS = 8  # claims of one row, whatever ended each: a refusal to retry, or a crash
ABANDONED_ERROR = "envoi interrompu à chaque tentative : le répartiteur s'arrêtait pendant l'envoi"
BACKOFF_BASE, BACKOFF_CAP = 5.0, 3600.0
RECORD_RETRIES = (0.5, 1.0, 2.0)  # waits before recording a batch again on a new connection


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    cancelled: int = 0
    reclaimed: int = 0
    abandoned: int = 0  # re-claimed too often: dead-lettered instead of sent once more
    lost: int = 0  # outcomes not written: the lease ran out and another dispatcher took over
    message_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Batch:
    """The rows a claim took, how many of them a dead dispatcher had, how many it gave up."""

    ids: list[int]
    reclaimed: int
    abandoned: int


def claim(
    session: Session, holder: str, now: dt.datetime, limit: int = BATCH, lease: dt.timedelta = LEASE
) -> Batch:
    """Take up to `limit` due rows (and rows whose dispatcher died).

    A row whose dispatcher died while it had already been claimed MAX_ATTEMPTS times is
    dead-lettered instead: it is what keeps killing them, or at least no longer worth it.
    """
    due = or_(
        and_(Delivery.state == "pending", Delivery.not_before <= now),
        and_(Delivery.state == "sending", Delivery.lease_until < now),
    )
    query = (
        select(Delivery.id, Delivery.state, Delivery.attempts)
        .where(due)
        .order_by(Delivery.not_before, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query).all()
    worn = {id_ for id_, state, attempts in rows if state == "sending" and attempts >= MAX_ATTEMPTS}
    ids = [row[0] for row in rows if row[0] not in worn]
    if worn:
        session.execute(
            update(Delivery).where(Delivery.id.in_(worn))
            .values(state="dead", lease_until=None, last_error=ABANDONED_ERROR)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        log.error("%d push(es) dead-lettered: their dispatcher died while sending them "
                  "%d times", len(worn), MAX_ATTEMPTS)  # fmt: skip
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(state="sending", lease_until=now + lease, claimed_by=holder,
                    attempts=Delivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    session.commit()
    reclaimed = sum(1 for row in rows if row[1] == "sending") - len(worn)
    return Batch(ids, reclaimed, len(worn))


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
    structure_id: int | None
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
            Notification.structure_id, Notification.title, Notification.body, Invoice.number,
            Recipient.name,
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
    if row.structure_id:
        data["structure_id"] = str(row.structure_id)
    collapse = (
        f"invoice-{row.invoice_id}" if row.invoice_id else f"{row.kind}-{row.notification_id}"
    )
    return PushMessage(
        token=row.token, platform=row.platform, title=title, body=body, data=data,  # type: ignore[arg-type]
        collapse_key=collapse, high_priority=row.category in HIGH_PRIORITY,
        ttl_seconds=TTL_SECONDS.get(row.category, 86400),
        link=app_link(row.invoice_id, row.kind, row.structure_id),
    )  # fmt: skip


def app_link(invoice_id: int | None, kind: str = "", structure_id: int | None = None) -> str:
    """Where a web push leads in the app: the invoice; a structure's account notice (its
    technical password expiring, a join request) to Compte, where it is dealt with; else the
    notifications screen."""
    if invoice_id:
        return f"/app/#/factures/{invoice_id}"
    if kind == ACCOUNT_NOTICE and structure_id:
        return "/app/#/compte"
    return "/app/#/notifications"


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
    batch = claim(session, holder, now, limit, lease)
    stats = Stats(claimed=len(batch.ids), reclaimed=batch.reclaimed, dead=batch.abandoned,
                  abandoned=batch.abandoned)  # fmt: skip
    if not batch.ids:
        return stats
    if batch.reclaimed:
        log.warning("re-sending %d push(es) whose dispatcher died mid-send", batch.reclaimed)
    outcomes = Outcomes(now)
    sendable = []
    for row in _load(session, batch.ids):
        if row.device_active:
            sendable.append((row, message_for(row)))
        else:
            outcomes.cancel(row.id, CANCELLED_ERROR)
            stats.cancelled += 1
    session.commit()  # no transaction (on SQLite: no write lock) while the provider answers
    results = asyncio.run(transport.send([m for _, m in sendable])) if sendable else []
    outcomes.sent_at = utcnow()
    for (row, _message), result in zip(sendable, results, strict=True):
        outcomes.add(row, result, stats)
    stats.lost = _record(session, outcomes, holder)
    if stats.lost:
        log.warning("%d push outcome(s) not recorded: their lease ran out and another "
                    "dispatcher took them over", stats.lost)  # fmt: skip
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
        self._put("cancelled", delivery_id=delivery_id, state="cancelled", last_error=error)

    def add(self, row: Claimed, result: SendResult, stats: Stats) -> None:
        if result.outcome is Outcome.SENT:
            self._put("sent", delivery_id=row.id, state="sent", sent_at=self.sent_at,
                      message_id=result.message_id)  # fmt: skip
            stats.sent += 1
            stats.message_ids.append(result.message_id or "")
            return
        error = f"{result.error_code or result.outcome.value}: {result.detail}"[:2000]
        if result.outcome is Outcome.RETRY and row.attempts < MAX_ATTEMPTS:
            wait = dt.timedelta(seconds=_backoff(row.attempts, result.retry_after))
            self._put("retry", delivery_id=row.id, state="pending", not_before=self.now + wait,
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
            self._put("dead", delivery_id=row.id, state="dead", last_error=error)
            stats.dead += 1
            log.error("push %s dead-lettered after %d attempt(s): %s", row.id, row.attempts,
                      error)  # fmt: skip

    def write(self, session: Session, holder: str) -> int:
        """Record the outcomes of the rows `holder` still holds; how many it no longer held.

        One executemany per kind of outcome, each row by primary key and only while it is
        still "sending" under this holder (a Core UPDATE: its rowcount tells what landed).
        """
        held = update(Delivery).where(
            Delivery.id == bindparam("delivery_id"),
            Delivery.claimed_by == holder,
            Delivery.state == "sending",
        )
        connection = session.connection()
        lost = 0
        for values in self.rows.values():
            lost += len(values) - connection.execute(held, values).rowcount
        for device_id, result in self.disabled.items():
            _disable_device(session, device_id, result)
        return lost


def _record(session: Session, outcomes: Outcomes, holder: str) -> int:
    """Write and commit the outcomes; how many rows were no longer held.

    If the database dropped the connection (a restart), again on a new one for a few seconds:
    the pushes are sent, and recording them late is safe (only rows still held are written),
    whereas giving up would send the whole batch a second time once its lease runs out.
    """
    for wait in RECORD_RETRIES:
        try:
            return _commit(session, outcomes, holder)
        except OperationalError:
            session.rollback()
            log.warning("recording a push batch failed; again in %.1f s", wait, exc_info=True)
            time.sleep(wait)
    return _commit(session, outcomes, holder)


def _commit(session: Session, outcomes: Outcomes, holder: str) -> int:
    lost = outcomes.write(session, holder)
    session.commit()
    return lost


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
