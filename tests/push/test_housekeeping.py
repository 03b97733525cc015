"""Daily housekeeping: devices unseen for 270 days, finished deliveries older than 30 days."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from backend.config import Config
from backend.db import current_session, db
from backend.push.housekeeping import deactivate_stale_devices, prune_deliveries
from backend.push.models import Delivery, Device
from backend.scheduler.registry import jobs
from tests.push.conftest import World, add_delivery, add_device, add_notification

NOW = dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC)


def test_devices_unseen_for_270_days_are_deactivated(app_ctx: Flask, world: World) -> None:
    old = add_device(world.boss, last_seen_at=NOW - dt.timedelta(days=271))
    recent = add_device(world.boss, last_seen_at=NOW - dt.timedelta(days=269))
    note = add_notification(world.boss, world.mine)
    waiting = add_delivery(note, old, "pending")
    deactivate_stale_devices(current_session(), NOW)
    db.session.commit()
    db.session.expire_all()
    assert (old.active, old.deactivated_reason) == (False, "stale")
    assert recent.active
    assert waiting.state == "cancelled"


def test_finished_deliveries_older_than_30_days_are_pruned(app_ctx: Flask, world: World) -> None:
    device = add_device(world.boss)
    note = add_notification(world.boss, world.mine)
    old, young = NOW - dt.timedelta(days=31), NOW - dt.timedelta(days=29)
    kept = {
        "sent recently": add_delivery(note, device, "sent", sent_at=young, created_at=old),
        "pending": add_delivery(note, device, "pending", created_at=old),
        "dead": add_delivery(note, device, "dead", created_at=old),
        "sending": add_delivery(note, device, "sending", created_at=old),
    }
    pruned = [
        add_delivery(note, device, "sent", sent_at=old, created_at=old).id,
        add_delivery(note, device, "cancelled", created_at=old).id,
        add_delivery(note, device, "superseded", created_at=old).id,
    ]
    prune_deliveries(current_session(), NOW)
    db.session.commit()
    left = set(db.session.scalars(select(Delivery.id)))
    assert left == {d.id for d in kept.values()}
    assert not left & set(pruned)
    assert db.session.scalar(select(Device.id)) == device.id


def test_jobs_are_registered_daily_with_stable_ids() -> None:
    by_id = {spec.id: spec for spec in jobs(Config())}
    assert by_id["push-stale-devices"].seconds == by_id["push-prune-deliveries"].seconds == 86400
