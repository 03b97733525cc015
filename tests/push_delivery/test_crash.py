"""Dispatchers killed mid-run lose nothing; two dispatchers never send a row twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from backend.db import current_session, db
from backend.push.dispatcher import BATCH, dispatch_once
from backend.push.models import Delivery
from notifications.firebase import FirebaseTransport
from tests.fcm.fcm_server import FcmServer
from tests.push_delivery.conftest import World, add_device, queue_pushes

ROWS = 2000


def fill_outbox(world: World, count: int) -> set[int]:
    """`count` notifications, each with one pending push, inserted in bulk."""
    device = add_device(world.manager, "tok-crash-test")
    return queue_pushes(world.manager.id, device.id, world.structure.id, count)


def received(server: FcmServer) -> Counter[int]:
    return Counter(int(m["data"]["notification_id"]) for m in server.messages)


def held_by(pid: int) -> int:
    """Rows a dispatcher process (its holder names its pid) has claimed and not recorded."""
    db.session.commit()
    query = (
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.state == "sending", Delivery.claimed_by.contains(f":{pid}:"))
    )
    count = int(current_session().scalar(query) or 0)
    db.session.commit()
    return count


def pending_or_sending() -> int:
    db.session.commit()
    query = select(func.count()).select_from(Delivery).where(Delivery.state != "sent")
    count = int(current_session().scalar(query) or 0)
    db.session.commit()
    return count


def test_a_dispatcher_killed_at_random_points_loses_no_notification(
    world: World, fcm_server: FcmServer, credentials: Path, database_url: str, tmp_path: Path
) -> None:
    fcm_server.latency_ms = (20, 50)  # each send takes a while: kills land mid-batch
    expected = fill_outbox(world, ROWS)
    env = {
        **os.environ, "DATABASE_URL": database_url, "RELAIS_INSTANCE": str(tmp_path),
        "PUSH_TRANSPORT": "firebase", "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        "FIREBASE_PROJECT_ID": fcm_server.project_id, "FCM_BASE_URL": fcm_server.base_url,
        "SSL_CERT_FILE": str(fcm_server.ca_file), "PUSH_LEASE_SECONDS": "2",
    }  # fmt: skip
    command = [sys.executable, "-m", "backend.cli", "push-dispatch"]
    rng = random.Random(4)
    kills = 0
    in_flight: list[int] = []  # per kill: rows the killed dispatcher had claimed, not recorded
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and pending_or_sending():
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if kills < 4:
            # Wait until this one has sent something, then kill it somewhere in a batch.
            start = len(fcm_server.messages)
            while time.monotonic() < deadline and len(fcm_server.messages) == start:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.4))
            child.send_signal(signal.SIGKILL)
            child.wait(20)
            in_flight.append(held_by(child.pid))
            kills += 1
        else:
            while time.monotonic() < deadline and pending_or_sending():
                time.sleep(0.2)
            child.send_signal(signal.SIGTERM)
            child.wait(20)
    counts = received(fcm_server)
    duplicates = sum(n - 1 for n in counts.values())
    print(
        f"\n{ROWS} pushes, {kills} kills, {duplicates} duplicate(s) ({duplicates / ROWS:.1%}); "
        f"in flight at each kill: {in_flight}"
    )
    assert pending_or_sending() == 0, "every push must end up sent"
    assert set(counts) == expected, "no notification may be lost"
    # A push is sent twice only if its dispatcher died after sending it and before recording
    # it: the row was still "sending" under the dead dispatcher, in its one batch in flight
    # (a dispatcher claims its next batch only after recording the last). A kill before the
    # send or after the record duplicates nothing; at worst one whole batch per kill.
    assert max(in_flight) <= BATCH
    assert duplicates <= sum(in_flight)


@pytest.mark.postgres_only
def test_two_dispatchers_never_send_the_same_row_twice(
    world: World, fcm_server: FcmServer, transport: FirebaseTransport, app: Flask
) -> None:
    expected = fill_outbox(world, ROWS)
    errors: list[BaseException] = []

    def dispatcher(name: str) -> None:
        with app.app_context():
            try:
                while dispatch_once(current_session(), transport, name, limit=100).claimed:
                    pass
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=dispatcher, args=(f"d{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    counts = received(fcm_server)
    assert set(counts) == expected
    assert max(counts.values()) == 1, "a row was sent by both dispatchers"
    holders = {d.claimed_by for d in current_session().scalars(select(Delivery))}
    assert holders == {"d0", "d1"}, "both dispatchers should have taken a share"


@pytest.mark.postgres_only
def test_a_commit_wakes_a_waiting_dispatcher_at_once(world: World, app: Flask) -> None:
    from backend.push.transport import waiter, wake_dispatchers

    wait = waiter(app.extensions["relais_config"])
    assert wait is not None
    woke = threading.Event()

    def sleeper() -> None:
        wait(60)  # returns on NOTIFY, long before this timeout
        woke.set()

    thread = threading.Thread(target=sleeper, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # let it LISTEN
        wake_dispatchers(current_session())
        assert not woke.wait(0.3), "NOTIFY is only delivered when the transaction commits"
        current_session().commit()
        assert woke.wait(30), "the dispatcher should wake up on NOTIFY"
    finally:
        thread.join(60)
        wait.close()
