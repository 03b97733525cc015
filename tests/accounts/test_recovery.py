"""A forgotten password, a changed password, a new address, over HTTP with real e-mails."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import User
from backend.accounts.service import start_session
from backend.db import db
from tests.accounts.conftest import OTHER_STRONG, STRONG, Clock, email_token, reset_token
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login
from tests.mail.smtp import Inbox, text_part

RESET = "/api/v1/accounts/password-reset"
RESET_CONFIRM = "/api/v1/accounts/password-reset/confirm"
EMAIL_CONFIRM = "/api/v1/accounts/email/confirm"
DEMO_REFUSED = (
    "Les comptes de démonstration ne peuvent changer ni leur mot de passe ni leur adresse e-mail."
)


def _bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _can_log_in(client: FlaskClient, email: str, password: str) -> bool:
    body = {"email": email, "password": password}
    return client.post("/api/v1/auth/login", json=body).status_code == 200


def _alive(client: FlaskClient, pair: dict[str, Any]) -> bool:
    """Both the access and the refresh token still work."""
    if client.get("/api/v1/me", headers=_bearer(pair)).status_code != 200:
        return False
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    if refreshed.status_code != 200:
        return False
    pair.update(refreshed.get_json())
    return True


# --- forgotten password -------------------------------------------------------------------


def test_reset_by_email_ends_every_session(client: FlaskClient, inbox: Inbox) -> None:
    user = UserFactory(email="lea@example.fr")
    phone, tablet = login(client, user.email), login(client, user.email)
    response = client.post(RESET, json={"email": "LEA@example.fr"})
    assert response.status_code == 202
    [letter] = inbox.to("lea@example.fr")
    assert letter["Subject"] == "Choisir un nouveau mot de passe Relais"
    token = reset_token(letter)

    done = client.post(RESET_CONFIRM, json={"token": token, "password": STRONG})
    assert done.status_code == 200, done.get_json()
    assert not _alive(client, phone) and not _alive(client, tablet)
    assert _can_log_in(client, user.email, STRONG)
    assert not _can_log_in(client, user.email, PASSWORD)
    assert inbox.to("lea@example.fr")[-1]["Subject"] == "Votre mot de passe Relais a été modifié"

    replay = client.post(RESET_CONFIRM, json={"token": token, "password": OTHER_STRONG})
    assert replay.status_code == 400
    assert replay.get_json()["detail"].startswith("Ce lien a déjà servi.")
    assert _can_log_in(client, user.email, STRONG)


def test_an_unknown_address_gets_the_same_answer(client: FlaskClient, inbox: Inbox) -> None:
    UserFactory(email="lea@example.fr")
    known = client.post(RESET, json={"email": "lea@example.fr"})
    unknown = client.post(RESET, json={"email": "personne@example.fr"})
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    [notice] = inbox.to("personne@example.fr")
    assert "aucun compte ne l'utilise" in text_part(notice)
    assert "jeton=" not in text_part(notice)


def test_an_expired_reset_link_is_refused(client: FlaskClient, inbox: Inbox, clock: Clock) -> None:
    user = UserFactory(email="lea@example.fr")
    client.post(RESET, json={"email": user.email})
    token = reset_token(inbox.to(user.email)[0])
    clock.advance(minutes=61)  # PASSWORD_RESET_MINUTES
    expired = client.post(RESET_CONFIRM, json={"token": token, "password": STRONG})
    assert expired.status_code == 400
    assert expired.get_json()["detail"] == (
        "Ce lien a expiré. Demandez un nouveau lien pour choisir votre mot de passe."
    )
    assert _can_log_in(client, user.email, PASSWORD)


def test_a_weak_new_password_keeps_the_link_usable(client: FlaskClient, inbox: Inbox) -> None:
    user = UserFactory(email="lea@example.fr")
    pair = login(client, user.email)
    client.post(RESET, json={"email": user.email})
    token = reset_token(inbox.to(user.email)[0])
    weak = client.post(RESET_CONFIRM, json={"token": token, "password": "azertyuiop"})
    assert weak.status_code == 422
    assert weak.get_json()["invalid_params"][0]["name"] == "password"
    assert _alive(client, pair)  # nothing changed
    assert client.post(RESET_CONFIRM, json={"token": token, "password": STRONG}).status_code == 200


def test_a_new_password_voids_older_reset_links(client: FlaskClient, inbox: Inbox) -> None:
    user = UserFactory(email="lea@example.fr")
    client.post(RESET, json={"email": user.email})
    client.post(RESET, json={"email": user.email})
    first, second = (reset_token(m) for m in inbox.to(user.email))
    assert client.post(RESET_CONFIRM, json={"token": second, "password": STRONG}).status_code == 200
    old = client.post(RESET_CONFIRM, json={"token": first, "password": OTHER_STRONG})
    assert old.status_code == 400
    assert _can_log_in(client, user.email, STRONG)


def test_a_reset_token_opens_nothing_else(client: FlaskClient, inbox: Inbox) -> None:
    """Each link works for its own purpose only."""
    user = UserFactory(email="lea@example.fr")
    client.post(RESET, json={"email": user.email})
    token = reset_token(inbox.to(user.email)[0])
    assert client.post("/api/v1/accounts/confirm", json={"token": token}).status_code == 400
    assert client.post(EMAIL_CONFIRM, json={"token": token}).status_code == 400
    assert client.post(RESET_CONFIRM, json={"token": token, "password": STRONG}).status_code == 200


def test_reset_requests_are_rate_limited(client: FlaskClient, inbox: Inbox) -> None:
    statuses = [client.post(RESET, json={"email": "x@example.fr"}).status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    assert len(inbox.to("x@example.fr")) == 5


# --- changing the password while logged in ---------------------------------------------------


def test_change_password_keeps_this_session_and_ends_the_others(
    client: FlaskClient, inbox: Inbox
) -> None:
    user = UserFactory(email="lea@example.fr")
    here, elsewhere = login(client, user.email), login(client, user.email)
    body = {"current_password": PASSWORD, "new_password": STRONG}
    response = client.put("/api/v1/me/password", json=body, headers=_bearer(here))
    assert response.status_code == 204
    assert _alive(client, here)
    assert not _alive(client, elsewhere)
    assert _can_log_in(client, user.email, STRONG) and not _can_log_in(client, user.email, PASSWORD)
    assert inbox.to("lea@example.fr")[-1]["Subject"] == "Votre mot de passe Relais a été modifié"


def test_change_password_needs_the_current_one_and_a_strong_one(
    client: FlaskClient, inbox: Inbox
) -> None:
    user = UserFactory(email="lea@example.fr")
    here, elsewhere = login(client, user.email), login(client, user.email)
    for body, field, reason in (
        ({"current_password": "pas le bon", "new_password": STRONG}, "current_password",
         "Mot de passe actuel incorrect."),
        ({"current_password": PASSWORD, "new_password": "1234567890"}, "new_password",
         "Mot de passe trop faible : c'est l'un des 100 mots de passe les plus courants."),
    ):  # fmt: skip
        response = client.put("/api/v1/me/password", json=body, headers=_bearer(here))
        assert response.status_code == 422
        [param] = response.get_json()["invalid_params"]
        assert param["name"] == field and param["reason"].startswith(reason)
    assert _alive(client, elsewhere)
    assert _can_log_in(client, user.email, PASSWORD)
    assert inbox.messages == []


# --- a new address -----------------------------------------------------------------------


def _change_email(client: FlaskClient, pair: dict[str, Any], new: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    body = {"password": password, "new_email": new}
    return client.post("/api/v1/me/email", json=body, headers=_bearer(pair))


def test_a_new_address_is_used_once_confirmed_and_the_old_one_is_told(
    client: FlaskClient, inbox: Inbox
) -> None:
    user = UserFactory(email="lea@example.fr", full_name="Léa Garnier")
    pair = login(client, user.email)
    response = _change_email(client, pair, "Lea.Garnier@Nouveau.fr")
    assert response.status_code == 202
    [letter] = inbox.to("lea.garnier@nouveau.fr")
    assert letter["Subject"] == "Confirmez votre nouvelle adresse e-mail Relais"
    assert inbox.to("lea@example.fr") == []
    assert _can_log_in(client, "lea@example.fr", PASSWORD)  # not changed yet

    confirmed = client.post(EMAIL_CONFIRM, json={"token": email_token(letter)})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["email"] == "lea.garnier@nouveau.fr"
    assert _can_log_in(client, "lea.garnier@nouveau.fr", PASSWORD)
    assert not _can_log_in(client, "lea@example.fr", PASSWORD)
    [notice] = inbox.to("lea@example.fr")
    assert notice["Subject"] == "L'adresse e-mail de votre compte Relais a changé"
    assert "lea.garnier@nouveau.fr" in text_part(notice)
    assert _alive(client, pair)  # the sessions stay

    replay = client.post(EMAIL_CONFIRM, json={"token": email_token(letter)})
    assert replay.status_code == 400
    assert replay.get_json()["detail"].startswith("Ce lien a déjà servi.")


def test_an_address_in_use_gets_the_same_answer_and_no_link(
    client: FlaskClient, inbox: Inbox
) -> None:
    UserFactory(email="claire@example.fr")
    user = UserFactory(email="lea@example.fr")
    pair = login(client, user.email)
    taken = _change_email(client, pair, "claire@example.fr")
    free = _change_email(client, pair, "libre@example.fr")
    assert taken.status_code == free.status_code == 202
    assert taken.get_data() == free.get_data()
    [notice] = inbox.to("claire@example.fr")
    assert "jeton=" not in text_part(notice)
    assert "Quelqu'un a demandé à utiliser votre adresse" in text_part(notice)


def test_an_address_taken_before_the_click_is_refused(client: FlaskClient, inbox: Inbox) -> None:
    user = UserFactory(email="lea@example.fr")
    _change_email(client, login(client, user.email), "libre@example.fr")
    token = email_token(inbox.to("libre@example.fr")[0])
    UserFactory(email="libre@example.fr")  # signed up meanwhile
    refused = client.post(EMAIL_CONFIRM, json={"token": token})
    assert refused.status_code == 409
    assert "déjà celle d'un autre compte" in refused.get_json()["detail"]
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "lea@example.fr"  # type: ignore[union-attr]


def test_an_expired_address_link_is_refused(
    client: FlaskClient, inbox: Inbox, clock: Clock
) -> None:
    user = UserFactory(email="lea@example.fr")
    _change_email(client, login(client, user.email), "libre@example.fr")
    token = email_token(inbox.to("libre@example.fr")[0])
    clock.advance(hours=24, seconds=1)
    expired = client.post(EMAIL_CONFIRM, json={"token": token})
    assert expired.status_code == 400
    assert expired.get_json()["detail"].startswith("Ce lien a expiré.")


def test_changing_the_address_needs_the_password_and_a_new_address(
    client: FlaskClient, inbox: Inbox
) -> None:
    user = UserFactory(email="lea@example.fr")
    pair = login(client, user.email)
    wrong = _change_email(client, pair, "libre@example.fr", password="pas le bon")
    assert wrong.status_code == 422
    assert wrong.get_json()["invalid_params"][0]["name"] == "password"
    same = _change_email(client, pair, "LEA@example.fr")
    assert same.status_code == 422
    assert same.get_json()["invalid_params"][0]["name"] == "new_email"
    assert inbox.messages == []


def test_a_newer_request_voids_the_older_address_link(client: FlaskClient, inbox: Inbox) -> None:
    user = UserFactory(email="lea@example.fr")
    pair = login(client, user.email)
    _change_email(client, pair, "un@example.fr")
    _change_email(client, pair, "deux@example.fr")
    first = email_token(inbox.to("un@example.fr")[0])
    assert client.post(EMAIL_CONFIRM, json={"token": first}).status_code == 400
    second = email_token(inbox.to("deux@example.fr")[0])
    assert client.post(EMAIL_CONFIRM, json={"token": second}).status_code == 200


# --- demo accounts ---------------------------------------------------------------------------


def test_demo_accounts_keep_their_password_and_address(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    demo = UserFactory(email="demo@relais.example", is_demo=True)
    pair = start_session(db.session, demo, config=app.extensions["relais_config"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {pair.access_token}"}
    for path, method, body in (
        ("/api/v1/me/password", "PUT", {"current_password": PASSWORD, "new_password": STRONG}),
        ("/api/v1/me/email", "POST", {"password": PASSWORD, "new_email": "moi@example.fr"}),
    ):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 403, path
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == DEMO_REFUSED
    # A reset is answered as for anyone, and sends nothing.
    assert client.post(RESET, json={"email": demo.email}).status_code == 202
    assert inbox.messages == []
    db.session.expire_all()
    kept = db.session.scalar(select(User).where(User.id == demo.id))
    assert kept is not None and kept.email == "demo@relais.example"
    assert client.get("/api/v1/me", headers=headers).status_code == 200
