"""The demo schedule that `make run` shows at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from backend.db import db, utcnow
from backend.trainings.demo import seed_trainings
from tests.factories import UserFactory


def test_demo_schedule_covers_three_months_with_full_and_nearly_full_sessions(
    client: FlaskClient, app_ctx: Any
) -> None:
    UserFactory(is_trainer=True, is_demo=True)
    now = utcnow()
    seed_trainings(db.session, now)
    db.session.commit()
    seed_trainings(db.session, now)  # idempotent
    db.session.commit()
    items = client.get("/api/v1/trainings").get_json()["items"]
    assert len(items) == 16
    assert {i["format"] for i in items} == {"webinar", "coaching"}
    last = dt.datetime.fromisoformat(items[-1]["starts_at"])
    assert now + dt.timedelta(days=60) < last < now + dt.timedelta(days=100)
    full = [i for i in items if i["seats_left"] == 0]
    assert len(full) == 1 and full[0]["format"] == "coaching" and full[0]["waiting_list_open"]
    assert sum(1 for i in items if 0 < i["seats_left"] <= 2) == 2
