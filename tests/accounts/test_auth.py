"""Login, refresh rotation, logout, rate limiting, and /me."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from backend.accounts.models import Role
from backend.db import db
from tests.accounts.conftest import Clock
from tests.factories import PASSWORD, MembershipFactory, ServiceFactory, UserFactory
from tests.helpers import auth_headers, login


def test_login_returns_a_token_pair(client: FlaskClient) -> None:
    user = UserFactory()
    body = login(client, user.email.upper())  # e-mail matching ignores case
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["refresh_token"].startswith("rt_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == user.email


def test_wrong_password_and_unknown_account_look_the_same(client: FlaskClient) -> None:
    user = UserFactory()
    wrong = client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope"})
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.fr", "password": "nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"] == "Identifiants incorrects."
    assert wrong.mimetype == "application/problem+json"


def test_login_is_rate_limited(client: FlaskClient) -> None:
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": "x@example.fr", "password": "bad"}
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = client.post("/api/v1/auth/login", json={"email": "x@example.fr", "password": "b"})
    assert limited.mimetype == "application/problem+json"
    assert "Trop de requêtes" in limited.get_json()["title"]
    assert "Retry-After" in limited.headers


def test_demo_account_refused_outside_demo_mode(client: FlaskClient) -> None:
    user = UserFactory(is_demo=True)
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401


def _refresh(client: FlaskClient, token: str) -> Any:
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def _me(client: FlaskClient, pair: dict[str, Any]) -> int:
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    return client.get("/api/v1/me", headers=headers).status_code


def test_refresh_rotates_and_reuse_revokes_the_session(client: FlaskClient, clock: Clock) -> None:
    user = UserFactory()
    first = login(client, user.email)
    second = _refresh(client, first["refresh_token"])
    assert second.status_code == 200
    pair = second.get_json()
    assert pair["refresh_token"] != first["refresh_token"]
    assert _refresh(client, pair["refresh_token"]).status_code == 200
    # Replaying a token whose successor was traded too: theft, the whole session ends.
    replay = _refresh(client, first["refresh_token"])
    assert replay.status_code == 401
    assert _me(client, pair) == 401


def test_a_lost_answer_is_traded_again_once_then_the_spent_pair_is_theft(
    client: FlaskClient, clock: Clock
) -> None:
    """A page reloaded while its refresh was on its way: the old token buys a new pair within
    REFRESH_REUSE_GRACE_SECONDS, and the pair it bought first (never received) is spent."""
    user = UserFactory()
    first = login(client, user.email)
    lost = _refresh(client, first["refresh_token"]).get_json()
    clock.advance(seconds=20)
    again = _refresh(client, first["refresh_token"])
    assert again.status_code == 200
    kept = again.get_json()
    assert kept["refresh_token"] not in (first["refresh_token"], lost["refresh_token"])
    assert _me(client, kept) == 200
    # The grace counts from the first trade: 20 + 15 s later the old token is theft.
    clock.advance(seconds=15)
    assert _refresh(client, first["refresh_token"]).status_code == 401
    assert _me(client, kept) == 401


def test_the_lost_pair_presented_later_revokes_the_session(
    client: FlaskClient, clock: Clock
) -> None:
    """Had a thief replayed the old token within the grace, the rightful holder's next trade
    (of the pair the thief made spent) ends everything."""
    user = UserFactory()
    first = login(client, user.email)
    held = _refresh(client, first["refresh_token"]).get_json()
    stolen = _refresh(client, first["refresh_token"]).get_json()  # the thief, 0 s later
    assert _refresh(client, held["refresh_token"]).status_code == 401
    assert _me(client, stolen) == 401


def test_no_grace_after_its_delay(client: FlaskClient, clock: Clock) -> None:
    user = UserFactory()
    first = login(client, user.email)
    pair = _refresh(client, first["refresh_token"]).get_json()
    clock.advance(seconds=31)
    assert _refresh(client, first["refresh_token"]).status_code == 401
    assert _me(client, pair) == 401


def test_a_disabled_account_cannot_refresh(client: FlaskClient) -> None:
    user = UserFactory()
    pair = login(client, user.email)
    user.active = False
    db.session.commit()
    refused = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"


def test_logout_revokes_access_and_refresh(client: FlaskClient) -> None:
    user = UserFactory()
    pair = login(client, user.email)
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


def test_missing_or_forged_tokens_are_refused(client: FlaskClient) -> None:
    assert client.get("/api/v1/me").status_code == 401
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401
    assert forged.headers["WWW-Authenticate"].startswith("Bearer")
    assert forged.get_json()["detail"] == "Jeton invalide ou expiré."


def test_expired_access_token(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    from backend.accounts.security import issue_access_token

    user = UserFactory()
    pair = login(client, user.email)
    import jwt

    sid = jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"]
    expired = issue_access_token(user.id, sid, app.config["SECRET_KEY"], ttl=-5)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_me_lists_structures_roles_and_service_restrictions(client: FlaskClient) -> None:
    user = UserFactory(full_name="Léa Garnier")
    main = MembershipFactory(user=user, role=Role.MAIN_MANAGER)
    service = ServiceFactory()
    restricted = MembershipFactory(user=user, role=Role.USER, services=[service])
    body = client.get("/api/v1/me", headers=auth_headers(client, user.email)).get_json()
    assert body["full_name"] == "Léa Garnier"
    by_id = {s["id"]: s for s in body["structures"]}
    assert by_id[main.structure_id]["role"] == "main_manager"
    assert by_id[main.structure_id]["role_label"] == "Gestionnaire principal"
    assert by_id[main.structure_id]["services"] is None
    assert by_id[restricted.structure_id]["services"][0]["code"] == service.code


def test_login_validation_names_the_field(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "a@b.fr"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["invalid_params"] == [
        {"name": "password", "in": "json", "reason": "Ce champ est obligatoire."}
    ]
    assert "password" in body["detail"]
    english = client.post(
        "/api/v1/auth/login", json={"email": "a@b.fr"}, headers={"Accept-Language": "en"}
    )
    assert english.get_json()["invalid_params"][0]["reason"] == "Missing data for required field."


def test_reads_skip_rate_limits_that_still_hold_for_login(client: FlaskClient) -> None:
    """Invoice reads are exempt (Flask-Limiter's bookkeeping skipped); login stays limited."""
    user = UserFactory()
    headers = auth_headers(client, user.email)
    answers = [
        client.post("/api/v1/auth/login", json={"email": "y@example.fr", "password": "bad"})
        for _ in range(11)
    ]
    assert answers[-1].status_code == 429
    assert "X-RateLimit-Limit" in answers[0].headers
    for path in ("/api/v1/invoices", "/api/v1/summary", "/api/v1/dashboard"):
        read = client.get(path, headers=headers)
        assert read.status_code == 200, path
        assert not any(name.startswith("X-RateLimit") for name, _ in read.headers), path
