"""A person's login sessions: listed with their device and last use, ended one by one or all
but the current one, never another person's; revocation reaches devices and the workers'
authentication cache as a logout does."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import AuthSession
from backend.db import db
from backend.push.models import Device
from tests.accounts.conftest import Clock
from tests.conftest import sibling_app
from tests.factories import PASSWORD, UserFactory

SESSIONS = "/api/v1/me/sessions"


def _login(client: FlaskClient, email: str, agent: str = "Relais/1.4 (Android 14; Pixel 7)") -> Any:
    body = {"email": email, "password": PASSWORD}
    response = client.post("/api/v1/auth/login", json=body, headers={"User-Agent": agent})
    assert response.status_code == 200
    pair = response.get_json()
    pair["headers"] = {"Authorization": f"Bearer {pair['access_token']}"}
    return pair


def _listed(client: FlaskClient, pair: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(SESSIONS, headers=pair["headers"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]  # type: ignore[no-any-return]


def test_the_list_shows_my_open_sessions_and_which_is_this_one(
    client: FlaskClient, clock: Clock
) -> None:
    user = UserFactory()
    phone = _login(client, user.email, "Relais/1.4 (Android 14; Pixel 7)")
    clock.advance(minutes=5)
    tablet = _login(client, user.email, "Relais/1.4 (iPadOS 18)\x7f")
    _login(client, UserFactory().email)  # someone else's
    ended = _login(client, user.email)
    client.post("/api/v1/auth/logout", headers=ended["headers"])

    items = _listed(client, phone)
    assert [i["device"] for i in items] == [
        "Relais/1.4 (iPadOS 18)",
        "Relais/1.4 (Android 14; Pixel 7)",
    ]
    assert [i["current"] for i in items] == [False, True]
    assert all(i["created_at"].endswith("+01:00") for i in items)  # Paris time in December
    assert [i["current"] for i in _listed(client, tablet)] == [True, False]


def test_a_refresh_is_the_last_use(client: FlaskClient, clock: Clock) -> None:
    user = UserFactory()
    pair = _login(client, user.email)
    [before] = _listed(client, pair)
    clock.advance(hours=3)
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refreshed.status_code == 200
    new = {"headers": {"Authorization": f"Bearer {refreshed.get_json()['access_token']}"}}
    [after] = _listed(client, new)
    assert after["id"] == before["id"] and after["created_at"] == before["created_at"]
    assert after["last_used_at"] > before["last_used_at"]


def test_a_session_unused_past_the_refresh_lifetime_is_not_listed(
    client: FlaskClient, clock: Clock
) -> None:
    user = UserFactory()
    old = _login(client, user.email)
    clock.advance(days=31)  # REFRESH_TOKEN_TTL: its refresh token no longer works
    now = _login(client, user.email)
    assert [i["current"] for i in _listed(client, now)] == [True]
    assert client.delete(f"{SESSIONS}/{_sid(old)}", headers=now["headers"]).status_code == 404


def _sid(pair: dict[str, Any]) -> int:
    import jwt

    return int(jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"])


def test_ending_one_session_ends_its_tokens_and_devices(client: FlaskClient) -> None:
    user = UserFactory()
    here, lost = _login(client, user.email), _login(client, user.email)
    device = client.post(
        "/api/v1/devices", json={"token": "lost-phone-token-0001", "platform": "android"},
        headers=lost["headers"],
    )  # fmt: skip
    assert device.status_code == 201
    response = client.delete(f"{SESSIONS}/{_sid(lost)}", headers=here["headers"])
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=lost["headers"]).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": lost["refresh_token"]})
    assert refresh.status_code == 401
    db.session.expire_all()
    assert db.session.get(Device, device.get_json()["id"]).active is False  # type: ignore[union-attr]
    assert client.get("/api/v1/me", headers=here["headers"]).status_code == 200
    again = client.delete(f"{SESSIONS}/{_sid(lost)}", headers=here["headers"])
    assert again.status_code == 404


def test_ending_this_session_is_a_logout(client: FlaskClient) -> None:
    user = UserFactory()
    here = _login(client, user.email)
    assert client.delete(f"{SESSIONS}/{_sid(here)}", headers=here["headers"]).status_code == 204
    assert client.get("/api/v1/me", headers=here["headers"]).status_code == 401


def test_another_users_session_is_neither_seen_nor_ended(client: FlaskClient) -> None:
    mine, theirs = UserFactory(), UserFactory()
    me, them = _login(client, mine.email), _login(client, theirs.email)
    assert _sid(them) not in [i["id"] for i in _listed(client, me)]
    for target in (_sid(them), 0, -1, 2**63 - 1):
        response = client.delete(f"{SESSIONS}/{target}", headers=me["headers"])
        assert response.status_code == 404, target
        assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/me", headers=them["headers"]).status_code == 200
    revoked = client.post(f"{SESSIONS}/revoke-others", headers=me["headers"])
    assert revoked.get_json() == {"revoked": 0}
    assert client.get("/api/v1/me", headers=them["headers"]).status_code == 200


def test_ending_all_the_others(client: FlaskClient) -> None:
    user = UserFactory()
    here = _login(client, user.email)
    others = [_login(client, user.email) for _ in range(3)]
    response = client.post(f"{SESSIONS}/revoke-others", headers=here["headers"])
    assert response.status_code == 200 and response.get_json() == {"revoked": 3}
    assert all(client.get("/api/v1/me", headers=o["headers"]).status_code == 401 for o in others)
    assert [i["current"] for i in _listed(client, here)] == [True]
    db.session.expire_all()
    open_ = db.session.scalars(
        select(AuthSession.id).where(
            AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
        )
    ).all()
    assert open_ == [_sid(here)]


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.mark.postgres_only
def test_a_revocation_reaches_the_other_workers_cache(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    """Another worker answers reads from its cache: ending a session there is heard at once."""
    user = UserFactory()
    here, lost, changed = (_login(client, user.email) for _ in range(3))
    with sibling_app(app, tmp_path, auth_cache=True) as worker:
        other = worker.test_client()
        for pair in (lost, here):
            assert other.get("/api/v1/me", headers=pair["headers"]).status_code == 200
        assert client.delete(f"{SESSIONS}/{_sid(lost)}", headers=here["headers"]).status_code == 204
        assert _eventually(
            lambda: other.get("/api/v1/me", headers=lost["headers"]).status_code == 401
        )
        assert other.get("/api/v1/me", headers=here["headers"]).status_code == 200
        # A password change ends the others in that worker too.
        assert other.get("/api/v1/me", headers=changed["headers"]).status_code == 200
        body = {"current_password": PASSWORD, "new_password": "ornithorynque cerfeuil parapluie"}
        assert (
            client.put("/api/v1/me/password", json=body, headers=here["headers"]).status_code == 204
        )
        assert _eventually(
            lambda: other.get("/api/v1/me", headers=changed["headers"]).status_code == 401
        )
        assert other.get("/api/v1/me", headers=here["headers"]).status_code == 200
