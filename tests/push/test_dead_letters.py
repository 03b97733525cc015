"""Dead letters: listed and retried by administrators, over the API and the CLI."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient

from backend.cli import main
from backend.db import db
from backend.push.models import Delivery
from tests.push.conftest import World, add_delivery, add_device, add_notification

URL = "/api/v1/admin/push/dead-letters"
LONG_TOKEN = "dGhpcyBpcyBhIHZlcnkgbG9uZyBGQ00gdG9rZW4"


def _dead(world: World) -> tuple[Delivery, Delivery]:
    device = add_device(world.boss, token=LONG_TOKEN, platform="ios")
    note = add_notification(world.boss, world.mine, title="Facture F-9 : Rejetée")
    dead = add_delivery(note, device, "dead", attempts=8, last_error="UNAVAILABLE")
    sent = add_delivery(note, device, "sent", attempts=1)
    return dead, sent


def test_admin_lists_dead_letters_with_masked_tokens(client: FlaskClient, world: World) -> None:
    dead, _ = _dead(world)
    response = client.get(URL, headers=world.headers(client, world.admin))
    assert response.status_code == 200
    (row,) = response.get_json()
    assert row["id"] == dead.id and row["title"] == "Facture F-9 : Rejetée"
    assert row["platform"] == "ios" and row["token"] == "dGhpcy…rZW4"
    assert LONG_TOKEN not in response.get_data(as_text=True)
    assert (row["attempts"], row["last_error"], row["device_active"]) == (8, "UNAVAILABLE", True)
    assert row["created_at"].endswith("+00:00")


def test_admin_retries_a_dead_letter(client: FlaskClient, world: World) -> None:
    dead, sent = _dead(world)
    h = world.headers(client, world.admin)
    before = dt.datetime.now(dt.UTC)
    assert client.post(f"{URL}/{dead.id}/retry", headers=h).status_code == 204
    db.session.refresh(dead)
    assert (dead.state, dead.attempts) == ("pending", 0)
    assert dead.not_before >= before - dt.timedelta(seconds=1)
    assert client.get(URL, headers=h).get_json() == []
    twice = client.post(f"{URL}/{dead.id}/retry", headers=h)
    assert twice.status_code == 409 and "n'est pas abandonné" in twice.get_json()["detail"]
    assert client.post(f"{URL}/{sent.id}/retry", headers=h).status_code == 409
    assert client.post(f"{URL}/999999/retry", headers=h).status_code == 404


def test_others_are_refused(client: FlaskClient, world: World) -> None:
    dead, _ = _dead(world)
    h = world.headers(client)  # a main manager, not an administrator
    for response in (
        client.get(URL, headers=h),
        client.post(f"{URL}/{dead.id}/retry", headers=h),
    ):
        assert response.status_code == 403
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == "Réservé aux administrateurs."
    assert client.get(URL).status_code == 401
    db.session.refresh(dead)
    assert dead.state == "dead"
    limit = client.get(f"{URL}?limit=0", headers=world.headers(client, world.admin))
    assert limit.status_code == 422


def test_cli_lists_and_retries(app: Flask, world: World) -> None:
    dead, _ = _dead(world)
    dead_id = dead.id
    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app)
    listed = runner.invoke(main, ["push", "dead-letters"], obj=info)
    assert listed.exit_code == 0, listed.output
    assert f"n° {dead_id}" in listed.output and "« Facture F-9 : Rejetée »" in listed.output
    assert "8 tentative(s)" in listed.output and "UNAVAILABLE" in listed.output
    assert LONG_TOKEN not in listed.output
    retried = runner.invoke(main, ["push", "retry", str(dead_id)], obj=info)
    assert retried.exit_code == 0 and "remis en file" in retried.output
    db.session.expire_all()
    assert db.session.get(Delivery, dead_id).state == "pending"  # type: ignore[union-attr]
    empty = runner.invoke(main, ["push", "dead-letters"], obj=info)
    assert "Aucun envoi abandonné." in empty.output
    again = runner.invoke(main, ["push", "retry", str(dead_id)], obj=info)
    assert again.exit_code != 0 and "n'est pas abandonné (état : pending)" in again.output
    missing = runner.invoke(main, ["push", "retry", "999999"], obj=info)
    assert missing.exit_code != 0 and "introuvable" in missing.output
