"""Only the dispatcher holding a row records its outcome; a row that keeps killing its
dispatchers is dead-lettered instead of being sent forever."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from backend.db import current_session, utcnow
from backend.push.dispatcher import ABANDONED_ERROR, MAX_ATTEMPTS, Stats, claim, dispatch_once
from backend.push.models import Delivery
from notifications import PushMessage, SendResult
from notifications.log import LogTransport
from tests.push_delivery.conftest import World, add_device, queue_pushes

LEASE = dt.timedelta(seconds=30)


class Overtaken:
    """Sends like the log transport, but only after `takeover` ran: a dispatcher so slow that
    its lease ran out and another one took its batch over meanwhile."""

    name = "overtaken"

    def __init__(self, takeover: Callable[[], None]) -> None:
        self.takeover = takeover

    async def send(self, messages: Sequence[PushMessage]) -> list[SendResult]:
        other = threading.Thread(target=self.takeover)
        other.start()
        other.join(60)
        return await LogTransport().send(messages)


def rows() -> list[Delivery]:
    current_session().expire_all()
    return list(current_session().scalars(select(Delivery).order_by(Delivery.id)))


def test_a_dispatcher_whose_lease_ran_out_leaves_the_outcomes_to_the_new_holder(
    app: Flask, world: World
) -> None:
    device = add_device(world.manager, "tok-slow")
    queue_pushes(world.manager.id, device.id, world.structure.id, 3)
    start = utcnow()
    taken: list[Stats] = []

    def takeover() -> None:
        with app.app_context():
            later = start + 2 * LEASE
            taken.append(dispatch_once(current_session(), LogTransport(), "new", now=later))

    slow = dispatch_once(current_session(), Overtaken(takeover), "slow", now=start, lease=LEASE)
    [newer] = taken
    assert (newer.reclaimed, newer.sent, newer.lost) == (3, 3, 0)
    assert (slow.sent, slow.lost) == (3, 3), "the slow one sent, but recorded nothing"
    assert [(r.state, r.claimed_by, r.message_id) for r in rows()] == [
        ("sent", "new", message_id) for message_id in newer.message_ids
    ]


def test_a_row_whose_dispatchers_keep_dying_is_dead_lettered(world: World, tmp_path: Path) -> None:
    device = add_device(world.manager, "tok-poison")
    queue_pushes(world.manager.id, device.id, world.structure.id, 1)
    now = utcnow()
    for death in range(MAX_ATTEMPTS):  # each claims the row, then dies before recording
        assert claim(current_session(), f"dispatcher-{death}", now, lease=LEASE).ids
        now += 2 * LEASE
    outbox = tmp_path / "outbox.jsonl"
    stats = dispatch_once(current_session(), LogTransport(outbox), "last", now=now)
    assert (stats.claimed, stats.abandoned, stats.dead) == (0, 1, 1)
    assert not outbox.exists(), "not sent a ninth time"
    [row] = rows()
    assert (row.state, row.attempts, row.last_error) == ("dead", MAX_ATTEMPTS, ABANDONED_ERROR)
    assert row.lease_until is None
