"""The scheduler's push dispatcher outlives its LISTEN connection and a database restart."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from backend.db import current_session
from backend.push.dispatcher import dispatch_once
from backend.push.models import Delivery
from notifications import PushMessage, SendResult
from notifications.log import LogTransport
from tests.factories import StructureFactory, UserFactory
from tests.pgcluster import PgCluster
from tests.push_delivery.conftest import add_device, queue_pushes
from tests.resilience.conftest import (
    STOP_GRACE,
    forget_connections,
    relais,
    stop_within_grace,
    wait_for,
)

pytestmark = pytest.mark.nodb
LISTENING = "LISTEN relais_push%"


def pushed(outbox: Path) -> Counter[int]:
    """How many times the log transport has pushed each notification so far."""
    if not outbox.exists():
        return Counter()
    lines = outbox.read_text(encoding="utf-8").splitlines()
    return Counter(int(json.loads(line)["data"]["notification_id"]) for line in lines if line)


def delivered(outbox: Path) -> set[int]:
    return set(pushed(outbox))


def unsent() -> int:
    query = select(func.count()).select_from(Delivery).where(Delivery.state != "sent")
    count = int(current_session().scalar(query) or 0)
    current_session().commit()
    return count


def listening(cluster: PgCluster) -> bool:
    query = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE %s"
    return bool(cluster.execute(query, (LISTENING,))[0][0])


class Restarting:
    """Sends like the log transport, while the database goes away for a moment: the batch
    is pushed, and its outcome must still be recorded once the database is back."""

    name = "restarting"

    def __init__(self, cluster: PgCluster) -> None:
        self.cluster = cluster
        self.back = threading.Timer(0.5, cluster.start)

    async def send(self, messages: Sequence[PushMessage]) -> list[SendResult]:
        self.cluster.stop()
        self.back.start()
        return await LogTransport().send(messages)


def test_a_batch_sent_while_the_database_restarts_is_recorded_not_sent_again(
    cluster_app: Flask, pg_cluster: PgCluster
) -> None:
    user = UserFactory()
    ids = (user.id, add_device(user, "tok-restart").id, StructureFactory().id)
    queue_pushes(*ids, 3)
    transport = Restarting(pg_cluster)
    try:
        stats = dispatch_once(current_session(), transport, "dispatcher")
    finally:
        transport.back.join(30)
    assert (stats.sent, stats.lost) == (3, 0)
    states = current_session().scalars(select(Delivery.state)).all()
    assert states == ["sent"] * 3, "recorded: its lease would otherwise send it again"


def test_pushes_queued_across_a_database_restart_are_all_delivered(
    cluster_app: Flask, cluster_url: str, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    user = UserFactory()
    ids = (user.id, add_device(user, "tok-restart").id, StructureFactory().id)
    outbox = tmp_path / "push-outbox.jsonl"
    env = {
        "DATABASE_URL": cluster_url, "RELAIS_INSTANCE": str(tmp_path / "instance"),
        "PUSH_TRANSPORT": "log", "PUSH_OUTBOX": str(outbox), "PUSH_LEASE_SECONDS": "3",
        "SCHEDULER_LEASE_SECONDS": "3", "SITE_DIR": str(tmp_path / "site"),
    }  # fmt: skip
    scheduler = relais(["scheduler"], env, tmp_path / "scheduler.log")
    try:
        assert wait_for(lambda: listening(pg_cluster), 30), "the dispatcher should LISTEN"
        expected = queue_pushes(*ids, 1500)
        assert wait_for(lambda: delivered(outbox), 30), "the dispatcher should be sending"
        # Its LISTEN connection cut, then every connection at once, in the middle of the work.
        assert pg_cluster.terminate_backends(LISTENING) >= 1
        pg_cluster.restart()
        forget_connections()  # this test's own pooled connections died too
        expected |= queue_pushes(*ids, 500)
        assert wait_for(lambda: delivered(outbox) >= expected, 60, every=0.5), (
            f"{len(expected - delivered(outbox))} of {len(expected)} pushes never sent"
        )
        assert wait_for(lambda: unsent() == 0, 30), "every outbox row should end up sent"
        assert wait_for(lambda: listening(pg_cluster), 30), "the dispatcher should LISTEN again"
        assert scheduler.poll() is None, "the scheduler should still be running"
    finally:
        code, seconds = stop_within_grace(scheduler)
    duplicates = sum(pushed(outbox).values()) - len(expected)
    print(f"\n{len(expected)} pushes, {duplicates} sent twice; "
          f"scheduler stopped {seconds:.1f} s after SIGTERM")  # fmt: skip
    assert code == 0, f"the scheduler should stop within {STOP_GRACE} s (exit code {code})"
