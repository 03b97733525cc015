"""Announcements: admins publish, everyone reads the current and upcoming ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from backend.announcements import jobs
from backend.announcements.models import Announcement, Category
from backend.db import db, utcnow
from tests.factories import UserFactory
from tests.helpers import auth_headers


def _iso(delta: dt.timedelta) -> str:
    return (utcnow() + delta).replace(microsecond=0).isoformat()


def _maintenance(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "maintenance",
        "title": "Maintenance prévue jeudi de 13 h à 15 h",
        "body": "Mise en production d'une nouvelle version.",
        "window_starts_at": _iso(dt.timedelta(hours=-1)),
        "window_ends_at": _iso(dt.timedelta(hours=1)),
        **overrides,
    }


def test_admin_publishes_and_everyone_reads(client: FlaskClient) -> None:
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    created = client.post("/api/v1/announcements", json=_maintenance(), headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["in_progress"] is True
    client.post(
        "/api/v1/announcements",
        json={"category": "release", "title": "Version 2.1.1 en production"},
        headers=admin,
    )
    client.post(
        "/api/v1/announcements",
        json={
            "category": "news",
            "title": "Ancienne actualité",
            "expires_at": _iso(dt.timedelta(days=-1)),
            "published_at": _iso(dt.timedelta(days=-10)),
        },
        headers=admin,
    )
    client.post(
        "/api/v1/announcements",
        json={
            "category": "news",
            "title": "Pas encore",
            "published_at": _iso(dt.timedelta(days=2)),
        },
        headers=admin,
    )
    client.post(
        "/api/v1/announcements",
        json=_maintenance(
            title="Maintenance passée",
            window_starts_at=_iso(dt.timedelta(days=-2)),
            window_ends_at=_iso(dt.timedelta(days=-2, hours=2)),
        ),
        headers=admin,
    )
    listed = client.get("/api/v1/announcements")
    titles = [a["title"] for a in listed.get_json()["items"]]
    assert titles == ["Version 2.1.1 en production", "Maintenance prévue jeudi de 13 h à 15 h"]
    assert listed.get_json()["items"][1]["category_label"] == "Maintenance"
    assert (
        client.get(
            "/api/v1/announcements", headers={"If-None-Match": listed.headers["ETag"]}
        ).status_code
        == 304
    )


def test_upcoming_maintenance_is_listed_before_its_window(client: FlaskClient) -> None:
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    body = _maintenance(
        window_starts_at=_iso(dt.timedelta(days=3)),
        window_ends_at=_iso(dt.timedelta(days=3, hours=2)),
    )
    client.post("/api/v1/announcements", json=body, headers=admin)
    [item] = client.get("/api/v1/announcements").get_json()["items"]
    assert item["in_progress"] is False
    assert item["window_starts_at"].endswith(("+01:00", "+02:00"))


def test_validation_and_permissions(client: FlaskClient) -> None:
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    missing = client.post(
        "/api/v1/announcements",
        json={"category": "maintenance", "title": "Sans fenêtre"},
        headers=admin,
    ).get_json()
    assert missing["invalid_params"][0] == {
        "name": "window_starts_at",
        "in": "json",
        "reason": "Obligatoire pour une maintenance.",
    }
    backwards = _maintenance(window_ends_at=_iso(dt.timedelta(hours=-3)))
    response = client.post("/api/v1/announcements", json=backwards, headers=admin).get_json()
    assert response["invalid_params"][0]["reason"] == "La fin de la fenêtre doit suivre son début."
    bad_category = client.post(
        "/api/v1/announcements", json={"category": "promo", "title": "Soldes"}, headers=admin
    )
    assert bad_category.get_json()["invalid_params"][0]["name"] == "category"

    trainer = auth_headers(client, UserFactory(is_trainer=True).email)
    refused = client.post("/api/v1/announcements", json=_maintenance(), headers=trainer)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "Réservé aux administrateurs."
    assert client.post("/api/v1/announcements", json=_maintenance()).status_code == 401
    assert client.patch("/api/v1/announcements/1", json={}, headers=trainer).status_code == 403
    assert client.delete("/api/v1/announcements/1", headers=trainer).status_code == 403


def test_edit_and_delete(client: FlaskClient) -> None:
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    item = client.post("/api/v1/announcements", json=_maintenance(), headers=admin).get_json()
    path = f"/api/v1/announcements/{item['id']}"
    edited = client.patch(path, json={"title": "Maintenance prolongée"}, headers=admin)
    assert edited.get_json()["title"] == "Maintenance prolongée"
    early = client.patch(path, json={"window_ends_at": _iso(dt.timedelta(hours=-2))}, headers=admin)
    assert early.status_code == 422
    assert client.delete(path, headers=admin).status_code == 204
    assert client.delete(path, headers=admin).status_code == 404
    assert client.get("/api/v1/announcements").get_json()["items"] == []


class Relay:
    def __init__(self, accept: bool = True) -> None:
        self.accept, self.calls = accept, []  # type: ignore[var-annotated]

    def publish_service_notice(self, title: str, body: str, data: dict[str, str]) -> bool:
        self.calls.append((title, data))
        return self.accept


def test_maintenance_reaches_the_push_relay_once(app_ctx: Any) -> None:
    now = utcnow()
    db.session.add_all(
        [
            Announcement(
                category=Category.MAINTENANCE,
                title="Maintenance",
                published_at=now,
                window_starts_at=now + dt.timedelta(hours=1),
                window_ends_at=now + dt.timedelta(hours=2),
                updated_at=now,
            ),
            Announcement(
                category=Category.NEWS, title="Actualité", published_at=now, updated_at=now
            ),
        ]
    )
    db.session.commit()
    refusing = Relay(accept=False)
    assert jobs.push_maintenance_announcements(db.session, refusing, now) == 0
    relay = Relay()
    assert jobs.push_maintenance_announcements(db.session, relay, now) == 1
    assert jobs.push_maintenance_announcements(db.session, relay, now) == 0
    [(title, data)] = relay.calls
    assert title == "Maintenance" and data["category"] == "maintenance"
