"""Registering, refreshing, listing and unregistering devices; logout unregisters."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.db import db
from backend.push.models import Device
from tests.helpers import login
from tests.push.conftest import World, add_delivery, add_device, add_notification

TOKEN = "fcm-token-0123456789abcdef"


def _register(client: FlaskClient, headers: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/devices", json={"token": TOKEN, "platform": "android", **body},
                       headers=headers)  # fmt: skip


def _devices() -> list[Device]:
    db.session.expire_all()
    return list(db.session.scalars(select(Device).order_by(Device.id)))


def test_register_then_refresh_keeps_one_row(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    first = _register(client, h, locale="fr-FR", time_zone="Europe/Paris", app_version="1.2.0")
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["platform"] == "android" and body["locale"] == "fr-FR"
    assert body["current"] is True and "token" not in body
    created = _devices()[0]
    seen = created.last_seen_at
    again = _register(client, h, platform="ios", time_zone="America/Martinique")
    assert again.status_code == 200, again.get_json()
    (device,) = _devices()
    assert device.id == body["id"] == again.get_json()["id"]
    assert device.platform == "ios" and device.time_zone == "America/Martinique"
    assert device.locale == "fr-FR" and device.app_version == "1.2.0"  # omitted: kept
    assert device.last_seen_at >= seen


def test_defaults_when_only_token_and_platform(client: FlaskClient, world: World) -> None:
    body = _register(client, world.headers(client)).get_json()
    assert body["locale"] == "fr" and body["time_zone"] is None and body["app_version"] is None


def test_a_token_moves_to_its_new_owner(client: FlaskClient, world: World) -> None:
    _register(client, world.headers(client))
    old = _devices()[0]
    pending = add_delivery(add_notification(world.boss, world.mine), old, "pending")
    moved = _register(client, world.headers(client, world.clerk))
    assert moved.status_code == 200
    (device,) = _devices()
    assert device.user_id == world.clerk.id and device.active
    db.session.refresh(pending)
    assert pending.state == "cancelled"  # the previous owner's push never reaches the new one
    boss_list = client.get("/api/v1/devices", headers=world.headers(client)).get_json()
    assert boss_list == []


def test_an_unregistered_device_comes_back(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    device_id = _register(client, h).get_json()["id"]
    assert client.delete(f"/api/v1/devices/{device_id}", headers=h).status_code == 204
    assert _devices()[0].deactivated_reason == "unregistered"
    assert _register(client, h).status_code == 200
    device = _devices()[0]
    assert device.active and device.deactivated_reason is None


def test_list_shows_only_my_active_devices(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    mine = _register(client, h).get_json()["id"]
    add_device(world.boss, active=False)
    add_device(world.clerk)
    listed = client.get("/api/v1/devices", headers=h)
    assert [d["id"] for d in listed.get_json()] == [mine]
    again = client.get("/api/v1/devices", headers={**h, "If-None-Match": listed.headers["ETag"]})
    assert again.status_code == 304


def test_delete_someone_elses_device_is_404(client: FlaskClient, world: World) -> None:
    theirs = add_device(world.clerk)
    response = client.delete(f"/api/v1/devices/{theirs.id}", headers=world.headers(client))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    db.session.refresh(theirs)
    assert theirs.active
    assert client.delete("/api/v1/devices/999999", headers=world.headers(client)).status_code == 404


def test_delete_cancels_pending_pushes(client: FlaskClient, world: World) -> None:
    device = add_device(world.boss)
    note = add_notification(world.boss, world.mine)
    pending, sent = add_delivery(note, device, "pending"), add_delivery(note, device, "sent")
    response = client.delete(f"/api/v1/devices/{device.id}", headers=world.headers(client))
    assert response.status_code == 204
    db.session.refresh(pending)
    db.session.refresh(sent)
    assert (pending.state, sent.state) == ("cancelled", "sent")


def test_logout_unregisters_the_devices_of_that_session(client: FlaskClient, world: World) -> None:
    phone = {"Authorization": f"Bearer {login(client, world.boss.email)['access_token']}"}
    tablet = world.headers(client)
    _register(client, phone)
    client.post("/api/v1/devices", json={"token": "other-token", "platform": "ios"}, headers=tablet)
    assert client.post("/api/v1/auth/logout", headers=phone).status_code == 204
    by_token = {d.token: d for d in _devices()}
    assert not by_token[TOKEN].active and by_token[TOKEN].deactivated_reason == "logout"
    assert by_token["other-token"].active


def test_a_stolen_refresh_token_unregisters_the_devices_of_its_session(
    client: FlaskClient, world: World
) -> None:
    pair = login(client, world.boss.email)
    _register(client, {"Authorization": f"Bearer {pair['access_token']}"})
    refresh = {"refresh_token": pair["refresh_token"]}
    traded = client.post("/api/v1/auth/refresh", json=refresh)
    assert traded.status_code == 200
    later = {"refresh_token": traded.get_json()["refresh_token"]}
    assert client.post("/api/v1/auth/refresh", json=later).status_code == 200
    # The first token replayed once its successor was traded too: a theft.
    assert client.post("/api/v1/auth/refresh", json=refresh).status_code == 401
    [device] = _devices()
    assert not device.active and device.deactivated_reason == "refresh token reused"


def test_bad_registrations_name_the_field(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    cases = {
        "token": {"token": "", "platform": "android"},
        "platform": {"token": TOKEN, "platform": "windows"},
        "locale": {"token": TOKEN, "platform": "web", "locale": "french"},
        "time_zone": {"token": TOKEN, "platform": "web", "time_zone": "Mars/Olympus"},
        "app_version": {"token": TOKEN, "platform": "web", "app_version": "1" * 41},
    }
    for field, body in cases.items():
        response = client.post("/api/v1/devices", json=body, headers=h)
        assert response.status_code == 422, field
        assert response.get_json()["invalid_params"][0]["name"] == field
    spaced = client.post("/api/v1/devices", json={"token": "a b", "platform": "ios"}, headers=h)
    reason = spaced.get_json()["invalid_params"][0]["reason"]
    assert reason == "Le jeton ne doit pas contenir d'espace."
    zone = client.post("/api/v1/devices", json=cases["time_zone"], headers=h).get_json()
    assert zone["detail"].startswith("Champ « time_zone » : Fuseau horaire inconnu")
    long = client.post("/api/v1/devices", json={"token": "x" * 4097, "platform": "ios"}, headers=h)
    assert long.get_json()["invalid_params"][0]["reason"].startswith("La longueur doit")
    traversal = {"token": TOKEN, "platform": "ios", "time_zone": "../../etc/passwd"}
    assert client.post("/api/v1/devices", json=traversal, headers=h).status_code == 422
    assert client.post("/api/v1/devices", json=cases["platform"]).status_code == 401
    assert _devices() == []


def test_stale_device_is_not_listed_after_deactivation(client: FlaskClient, world: World) -> None:
    from backend.push import devices

    old = add_device(world.boss)
    old.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
    db.session.commit()
    assert devices.deactivate_stale(db.session, dt.datetime.now(dt.UTC)) == 1
    db.session.commit()
    assert client.get("/api/v1/devices", headers=world.headers(client)).get_json() == []


def test_active_devices_groups_by_user_in_one_query(world: World, count_queries) -> None:  # type: ignore[no-untyped-def]
    from backend.push.devices import active_devices

    a, b = add_device(world.boss), add_device(world.boss)
    c = add_device(world.clerk)
    add_device(world.clerk, active=False)
    ids = [world.boss.id, world.clerk.id, world.admin.id]
    expected = {world.boss.id: [a.id, b.id], world.clerk.id: [c.id]}
    count_queries.statements.clear()
    found = active_devices(db.session, ids)
    assert count_queries.count == 1
    assert {u: [d.id for d in ds] for u, ds in found.items()} == expected


@pytest.mark.postgres_only
def test_concurrent_registrations_of_one_token_make_one_row(app: Flask, world: World) -> None:
    from backend.push import devices

    user_id = world.boss.id
    db.session.commit()
    barrier = threading.Barrier(4)
    results: list[bool] = []

    def register_once() -> None:
        with app.app_context():
            barrier.wait()
            reg = devices.Registration(token=TOKEN, platform="android")
            _, created = devices.register(db.session, user_id, None, reg)
            db.session.commit()
            results.append(created)

    threads = [threading.Thread(target=register_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(_devices()) == 1
    assert sorted(results) == [False, False, False, True]


def test_losing_the_insert_race_updates_the_winner(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from backend.push import devices

    winner = add_device(world.clerk, token="race-token")
    real, calls = db.session.scalar, []

    def first_lookup_misses(stmt, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(stmt)  # as if the other registration committed just after our SELECT
        return None if len(calls) == 1 else real(stmt, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", first_lookup_misses)
    reg = devices.Registration(token="race-token", platform="ios")
    device, created = devices.register(db.session, world.boss.id, None, reg)
    db.session.commit()
    assert not created and device.id == winner.id
    assert (device.user_id, device.platform) == (world.boss.id, "ios")
    assert len(_devices()) == 1
