"""Announcements: admins publish, everyone reads the current and upcoming ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from backend.announcements import jobs, service
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
    # In date order: the window started an hour ago, the release was published just now.
    assert titles == ["Maintenance prévue jeudi de 13 h à 15 h", "Version 2.1.1 en production"]
    assert listed.get_json()["items"][0]["category_label"] == "Maintenance"
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


def test_a_later_maintenance_published_last_never_hides_the_sooner_one(
    client: FlaskClient,
) -> None:
    """Published on the 6th for the 7th, then for the 10th: both listed, the 7th first."""
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    for title, days in (("Le 7", 1), ("Le 10", 4)):
        window = _maintenance(
            title=title,
            window_starts_at=_iso(dt.timedelta(days=days)),
            window_ends_at=_iso(dt.timedelta(days=days, hours=2)),
        )
        client.post("/api/v1/announcements", json=window, headers=admin)
    incident = {"category": "incident", "title": "Dépôt ralenti"}
    client.post("/api/v1/announcements", json=incident, headers=admin)
    client.post(
        "/api/v1/announcements",
        json=_maintenance(title="En cours", window_starts_at=_iso(dt.timedelta(minutes=-5))),
        headers=admin,
    )
    items = client.get("/api/v1/announcements").get_json()["items"]
    assert [a["title"] for a in items] == ["En cours", "Dépôt ralenti", "Le 7", "Le 10"]
    assert [a["in_progress"] for a in items] == [True, False, False, False]


def test_scheduled_and_ended_notices_are_not_listed(client: FlaskClient) -> None:
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    later = _maintenance(
        title="Annoncée demain",
        published_at=_iso(dt.timedelta(days=1)),
        window_starts_at=_iso(dt.timedelta(days=5)),
        window_ends_at=_iso(dt.timedelta(days=5, hours=1)),
    )
    ended = _maintenance(
        title="Terminée",
        window_starts_at=_iso(dt.timedelta(hours=-3)),
        window_ends_at=_iso(dt.timedelta(minutes=-1)),
        expires_at=_iso(dt.timedelta(days=3)),
    )
    for body in (later, ended):
        assert client.post("/api/v1/announcements", json=body, headers=admin).status_code == 201
    assert client.get("/api/v1/announcements").get_json()["items"] == []


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


def test_every_published_maintenance_is_kept_for_the_news(app_ctx: Any) -> None:
    """Past maintenances stay in the news; scheduled ones and other categories do not."""
    now = utcnow()

    def add(title: str, category: Category, published: int, start: int | None) -> None:
        window = {}
        if start is not None:
            window = {
                "window_starts_at": now + dt.timedelta(days=start),
                "window_ends_at": now + dt.timedelta(days=start, hours=2),
            }
        db.session.add(
            Announcement(
                category=category,
                title=title,
                published_at=now + dt.timedelta(days=published),
                updated_at=now,
                **window,
            )
        )

    add("Le 10", Category.MAINTENANCE, -1, 4)
    add("Passée", Category.MAINTENANCE, -20, -10)
    add("Le 7", Category.MAINTENANCE, 0, 1)
    add("Pas encore publiée", Category.MAINTENANCE, 2, 9)
    add("Incident", Category.INCIDENT, -1, None)
    db.session.commit()
    found = service.maintenances(db.session, now)
    assert [a.title for a in found] == ["Passée", "Le 7", "Le 10"]
