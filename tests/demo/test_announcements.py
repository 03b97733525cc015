"""The demo's announcements that `make run` shows at once."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from backend.db import db, utcnow
from backend.demo.announcements import seed_announcements


def test_demo_shows_tomorrows_maintenance_and_a_release_note(
    client: FlaskClient, app_ctx: Any
) -> None:
    seed_announcements(db.session, utcnow())
    db.session.commit()
    # In date order: the release note (published today) before tomorrow's maintenance window.
    [release, maintenance] = client.get("/api/v1/announcements").get_json()["items"]
    assert maintenance["category"] == "maintenance" and release["category"] == "release"
    assert maintenance["window_starts_at"].endswith(("T13:00:00+01:00", "T13:00:00+02:00"))
