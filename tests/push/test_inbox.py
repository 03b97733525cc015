"""The inbox: newest first, keyset pages, unread, mark-as-read, isolation between users."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import delete

from backend.accounts.models import Membership
from backend.db import db
from backend.push.models import Notification
from tests.push.conftest import World, add_notification

URL = "/api/v1/notifications"
T0 = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)


def _inbox(world: World, count: int) -> list[Notification]:
    """`count` notifications of the boss, one a minute; the last is the newest."""
    return [
        add_notification(world.boss, world.mine, T0 + dt.timedelta(minutes=i), title=f"N{i}")
        for i in range(count)
    ]


def _titles(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["title"] for item in body["items"]]


def test_newest_first_with_every_field(client: FlaskClient, world: World) -> None:
    notes = _inbox(world, 3)
    body = client.get(URL, headers=world.headers(client)).get_json()
    assert _titles(body) == ["N2", "N1", "N0"]
    assert body["unread_count"] == 3 and body["next_cursor"] is None
    assert body["items"][0] == {
        "id": notes[2].id,
        "kind": "status",
        "category": "every_change",
        "status_code": "MISE_A_DISPOSITION",
        "title": "N2",
        "body": "Commune de Villeurbanne. Nouveau statut : Mise à disposition.",
        "invoice_id": None,
        "structure_id": world.mine.id,
        "created_at": "2026-11-01T08:02:00+00:00",
        "read_at": None,
    }


def test_keyset_pages_walk_everything_once(client: FlaskClient, world: World) -> None:
    _inbox(world, 7)
    h = world.headers(client)
    seen: list[str] = []
    url = f"{URL}?limit=3"
    while url:
        body = client.get(url, headers=h).get_json()
        seen += _titles(body)
        url = f"{URL}?limit=3&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    assert seen == [f"N{i}" for i in range(6, -1, -1)]
    first = client.get(f"{URL}?limit=3", headers=h).get_json()
    add_notification(world.boss, world.mine, T0 + dt.timedelta(hours=1), title="NEW")
    second = client.get(f"{URL}?limit=3&cursor={first['next_cursor']}", headers=h).get_json()
    assert _titles(second) == ["N3", "N2", "N1"]  # a new arrival does not shift the page


def test_unread_filter_and_mark_read(client: FlaskClient, world: World) -> None:
    notes = _inbox(world, 3)
    h = world.headers(client)
    read = client.post(f"{URL}/{notes[1].id}/read", headers=h)
    assert read.status_code == 204
    assert client.post(f"{URL}/{notes[1].id}/read", headers=h).status_code == 204  # idempotent
    body = client.get(f"{URL}?unread=true", headers=h).get_json()
    assert _titles(body) == ["N2", "N0"] and body["unread_count"] == 2
    everything = client.get(URL, headers=h).get_json()
    assert everything["items"][1]["read_at"] is not None
    assert client.post(f"{URL}/read-all", headers=h).status_code == 204
    after = client.get(URL, headers=h).get_json()
    assert after["unread_count"] == 0 and all(i["read_at"] for i in after["items"])
    assert after["items"][1]["read_at"] == everything["items"][1]["read_at"]  # kept


def test_etag_and_304(client: FlaskClient, world: World) -> None:
    notes = _inbox(world, 2)
    h = world.headers(client)
    etag = client.get(URL, headers=h).headers["ETag"]
    assert client.get(URL, headers={**h, "If-None-Match": etag}).status_code == 304
    client.post(f"{URL}/{notes[0].id}/read", headers=h)
    assert client.get(URL, headers={**h, "If-None-Match": etag}).status_code == 200


def test_users_only_see_their_own(client: FlaskClient, world: World) -> None:
    mine = _inbox(world, 2)
    theirs = add_notification(world.clerk, world.mine, T0, title="CLERK")
    clerk = world.headers(client, world.clerk)
    assert _titles(client.get(URL, headers=clerk).get_json()) == ["CLERK"]
    refused = client.post(f"{URL}/{mine[0].id}/read", headers=clerk)
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    client.post(f"{URL}/read-all", headers=clerk)
    assert client.get(URL, headers=world.headers(client)).get_json()["unread_count"] == 2
    db.session.refresh(theirs)
    assert theirs.read_at is not None
    assert client.post(f"{URL}/999999/read", headers=clerk).status_code == 404


def test_superseded_and_left_structures_are_hidden(client: FlaskClient, world: World) -> None:
    old, new = _inbox(world, 2)
    old.superseded_by_id = new.id
    add_notification(world.boss, world.other, T0, title="OTHER")
    add_notification(world.boss, None, T0, title="SERVICE", kind="service", category="service")
    db.session.commit()
    h = world.headers(client)
    assert _titles(client.get(URL, headers=h).get_json()) == ["N1", "SERVICE", "OTHER"]
    db.session.execute(
        delete(Membership).where(
            Membership.user_id == world.boss.id, Membership.structure_id == world.other.id
        )
    )
    db.session.commit()
    body = client.get(URL, headers=h).get_json()
    assert _titles(body) == ["N1", "SERVICE"] and body["unread_count"] == 2
    assert client.post(f"{URL}/{old.id}/read", headers=h).status_code == 404


def test_bad_queries(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    for query, field in {
        "limit=0": "limit",
        "limit=101": "limit",
        "unread=peut-être": "unread",
    }.items():
        response = client.get(f"{URL}?{query}", headers=h)
        assert response.status_code == 422, query
        assert response.get_json()["invalid_params"][0]["name"] == field
    bad_cursor = client.get(f"{URL}?cursor=%21%21%21", headers=h)
    assert bad_cursor.status_code == 400
    assert bad_cursor.get_json()["detail"] == "Curseur de pagination invalide."
    assert client.get(URL).status_code == 401
