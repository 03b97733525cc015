"""Notification preferences: defaults, updates, the main manager's lock, bad input, `effective`."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from backend.db import db
from backend.push.preferences import effective
from tests.push.conftest import World

URL = "/api/v1/me/notification-preferences"
LOCK_MESSAGE = "Un gestionnaire principal ne peut pas désactiver les notifications de facturation."


def test_defaults_everything_on(client: FlaskClient, world: World) -> None:
    body = client.get(URL, headers=world.headers(client)).get_json()
    assert body == {
        "time_zone": "Europe/Paris",
        "quiet_hours": None,
        "service_notices": True,
        "structures": [
            {"structure_id": world.mine.id, "name": "Menuiserie Dupont", "role": "main_manager",
             "action_required": True, "payment": True, "every_change": True,
             "locked": ["action_required", "payment"]},
            {"structure_id": world.other.id, "name": "Autre SARL", "role": "user",
             "action_required": True, "payment": True, "every_change": True, "locked": []},
        ],
    }  # fmt: skip


def test_update_then_read_back(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    sent = {
        "time_zone": "America/Cayenne",
        "quiet_hours": {"start": "22:00", "end": "07:30", "bypass_for_action_required": True},
        "service_notices": False,
        "structures": [
            {"structure_id": world.mine.id, "every_change": False},
            {"structure_id": world.other.id, "payment": False, "action_required": False},
        ],
    }
    response = client.put(URL, json=sent, headers=h)
    assert response.status_code == 200, response.get_json()
    body = client.get(URL, headers=h).get_json()
    assert response.get_json() == body
    assert body["time_zone"] == "America/Cayenne" and body["service_notices"] is False
    assert body["quiet_hours"] == sent["quiet_hours"]
    mine, other = body["structures"]
    assert (mine["action_required"], mine["payment"], mine["every_change"]) == (True, True, False)
    assert (other["action_required"], other["payment"], other["every_change"]) == (
        False, False, True
    )  # fmt: skip
    # A subset leaves the rest alone; the GET body can be sent back as it is.
    again = client.put(URL, json={"structures": [body["structures"][1]]}, headers=h)
    assert again.get_json()["structures"] == body["structures"]
    cleared = client.put(URL, json={"quiet_hours": None}, headers=h).get_json()
    assert cleared["quiet_hours"] is None and cleared["time_zone"] == "America/Cayenne"


def test_etag_changes_with_preferences(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    etag = client.get(URL, headers=h).headers["ETag"]
    assert client.get(URL, headers={**h, "If-None-Match": etag}).status_code == 304
    client.put(URL, json={"service_notices": False}, headers=h)
    assert client.get(URL, headers={**h, "If-None-Match": etag}).status_code == 200


def test_main_manager_cannot_switch_off_billing(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    for category in ("action_required", "payment"):
        body = {"structures": [{"structure_id": world.mine.id, category: False}]}
        response = client.put(URL, json=body, headers=h)
        assert response.status_code == 422
        problem = response.get_json()
        assert problem["invalid_params"] == [
            {"name": f"structures.0.{category}", "in": "json", "reason": LOCK_MESSAGE}
        ]
    ok = {"structures": [{"structure_id": world.mine.id, "action_required": True}]}
    assert client.put(URL, json=ok, headers=h).status_code == 200


def test_a_refused_update_writes_nothing(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    body = {
        "service_notices": False,
        "structures": [
            {"structure_id": world.other.id, "every_change": False},
            {"structure_id": world.mine.id, "payment": False},
        ],
    }
    assert client.put(URL, json=body, headers=h).status_code == 422
    after = client.get(URL, headers=h).get_json()
    assert after["service_notices"] is True and after["structures"][1]["every_change"] is True


def test_unknown_or_foreign_structure_is_refused(client: FlaskClient, world: World) -> None:
    h = world.headers(client, world.clerk)
    for structure_id in (world.other.id, 999_999):
        body = {"structures": [{"structure_id": structure_id, "payment": False}]}
        response = client.put(URL, json=body, headers=h)
        assert response.status_code == 422
        param = response.get_json()["invalid_params"][0]
        assert param["name"] == "structures.0.structure_id"
        assert param["reason"] == "Vous n'êtes pas membre de cette structure."
    twice = [{"structure_id": world.mine.id}, {"structure_id": world.mine.id}]
    response = client.put(URL, json={"structures": twice}, headers=h)
    assert response.get_json()["invalid_params"][0]["name"] == "structures.1.structure_id"


def test_bad_input_names_the_field(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    cases = [
        ({"time_zone": "Paris"}, "time_zone", "Fuseau horaire inconnu"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours.end", "doivent"),
        ({"quiet_hours": {"start": "24:00", "end": "07:00"}}, "quiet_hours.start", "Heure"),
        ({"quiet_hours": {"start": "7:00", "end": "08:00"}}, "quiet_hours.start", "HH:MM"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end", "obligatoire"),
        ({"service_notices": "peut-être"}, "service_notices", "booléen"),
        ({"structures": [{"payment": False}]}, "structures.0.structure_id", "obligatoire"),
        ({"structures": [{"structure_id": 0}]}, "structures.0.structure_id", "compris entre 1"),
        ({"colour": "bleu"}, "colour", "Champ inconnu"),
    ]
    for body, name, reason in cases:
        response = client.put(URL, json=body, headers=h)
        assert response.status_code == 422, body
        param = response.get_json()["invalid_params"][0]
        assert (param["name"], reason in param["reason"]) == (name, True), (body, param)
    assert client.put(URL, json={}).status_code == 401


def test_effective_applies_defaults_and_locks_in_one_query(
    client: FlaskClient,
    world: World,
    count_queries,  # type: ignore[no-untyped-def]
) -> None:
    h = world.headers(client, world.clerk)
    client.put(
        URL,
        json={"quiet_hours": {"start": "21:00", "end": "06:00"},
              "structures": [{"structure_id": world.mine.id, "payment": False}]},
        headers=h,
    )  # fmt: skip
    ids, mine_id = [world.boss.id, world.clerk.id, world.stranger.id], world.mine.id
    count_queries.statements.clear()
    found = effective(db.session, ids, mine_id)
    assert count_queries.count == 1
    assert set(found) == {world.boss.id, world.clerk.id}  # the stranger is not a member
    clerk = found[world.clerk.id]
    assert (clerk.payment, clerk.every_change, clerk.wants("payment")) == (False, True, False)
    assert clerk.quiet_start == dt.time(21) and clerk.quiet_end == dt.time(6)
    boss = found[world.boss.id]
    assert boss.wants("action_required") and boss.quiet_start is None
    assert boss.time_zone == "Europe/Paris" and boss.service_notices
    # Promoted after switching payment off: the lock wins over the stored row.
    db.session.execute(
        db.text("UPDATE memberships SET role = 'main_manager' WHERE user_id = :u"),
        {"u": world.clerk.id},
    )
    assert effective(db.session, [world.clerk.id], mine_id)[world.clerk.id].payment is True
    assert effective(db.session, [], mine_id) == {}
