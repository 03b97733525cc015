"""Sign-up over HTTP, each e-mail received by a real SMTP server: the account exists, and logs
in, only once the e-mailed link is opened; the answer never tells whether an address is known."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.emailed import AccountLink
from backend.accounts.models import User
from backend.db import db
from tests.accounts.conftest import STRONG, Clock, confirm_token
from tests.factories import UserFactory
from tests.mail.smtp import Inbox, html_part, text_part

SIGN_UP = "/api/v1/accounts"
CONFIRM = "/api/v1/accounts/confirm"


def _sign_up(client: FlaskClient, email: str, password: str = STRONG, **extra: Any) -> Any:
    body = {"email": email, "password": password, "full_name": "Léa Garnier", **extra}
    return client.post(SIGN_UP, json=body)


def _log_in(client: FlaskClient, email: str, password: str = STRONG) -> int:
    return client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    ).status_code


def _users(email: str) -> int:
    db.session.commit()  # a fresh read
    return int(db.session.scalar(select(func.count()).where(User.email == email)) or 0)


def test_sign_up_then_open_the_link_then_log_in(client: FlaskClient, inbox: Inbox) -> None:
    response = _sign_up(client, "Lea@Example.fr")
    assert response.status_code == 202
    assert "ouvrez le lien" in response.get_json()["message"]
    assert _users("lea@example.fr") == 0
    assert _log_in(client, "lea@example.fr") == 401  # not before the link is opened
    [letter] = inbox.to("lea@example.fr")
    assert letter["Subject"] == "Confirmez la création de votre compte Relais"
    body = text_part(letter)
    assert body.startswith("Bonjour Léa Garnier,")
    assert "une seule fois, jusqu'au" in body and "(heure de Paris)" in body
    assert "Activer mon compte" in html_part(letter)
    token = confirm_token(letter)
    assert token not in str(db.session.scalars(select(AccountLink.token_hash)).all())

    confirmed = client.post(CONFIRM, json={"token": token})
    assert confirmed.status_code == 201, confirmed.get_json()
    assert confirmed.get_json()["email"] == "lea@example.fr"
    assert _users("lea@example.fr") == 1
    assert _log_in(client, "lea@example.fr") == 200
    user = db.session.scalar(select(User).where(User.email == "lea@example.fr"))
    assert user is not None and user.full_name == "Léa Garnier" and not user.is_demo


def test_a_replayed_link_is_refused_clearly(client: FlaskClient, inbox: Inbox) -> None:
    _sign_up(client, "lea@example.fr")
    token = confirm_token(inbox.to("lea@example.fr")[0])
    assert client.post(CONFIRM, json={"token": token}).status_code == 201
    again = client.post(CONFIRM, json={"token": token})
    assert again.status_code == 400
    assert again.mimetype == "application/problem+json"
    assert again.get_json()["detail"] == (
        "Ce lien a déjà servi : votre compte est activé, connectez-vous."
    )
    assert _users("lea@example.fr") == 1


def test_an_expired_link_is_refused_and_creates_nothing(
    client: FlaskClient, inbox: Inbox, clock: Clock
) -> None:
    _sign_up(client, "lea@example.fr")
    token = confirm_token(inbox.to("lea@example.fr")[0])
    clock.advance(hours=48, seconds=1)  # ACCOUNT_CONFIRM_HOURS
    expired = client.post(CONFIRM, json={"token": token})
    assert expired.status_code == 400
    assert expired.get_json()["detail"] == (
        "Ce lien a expiré. Recommencez l'inscription pour en recevoir un nouveau."
    )
    assert _users("lea@example.fr") == 0
    # Signing up again sends a fresh link, which works.
    _sign_up(client, "lea@example.fr")
    assert (
        client.post(CONFIRM, json={"token": confirm_token(inbox.messages[-1])}).status_code == 201
    )


def test_a_link_just_before_its_end_still_works(
    client: FlaskClient, inbox: Inbox, clock: Clock
) -> None:
    _sign_up(client, "lea@example.fr")
    clock.advance(hours=47, minutes=59)
    token = confirm_token(inbox.to("lea@example.fr")[0])
    assert client.post(CONFIRM, json={"token": token}).status_code == 201


@pytest.mark.parametrize("token", ["x" * 43, "0123456789", "rt_" + "a" * 40])
def test_an_unknown_token_is_invalid(client: FlaskClient, token: str) -> None:
    response = client.post(CONFIRM, json={"token": token})
    assert response.status_code == 400
    assert response.get_json()["detail"] == (
        "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."
    )


def _lasting_headers(response: Any) -> dict[str, str]:
    """The headers but the limiter's counters, which move with every request and second."""
    moving = ("X-RateLimit-", "Retry-After")
    return {k: v for k, v in response.headers if not k.startswith(moving)}


def test_a_known_address_gets_the_same_answer_and_a_warning(
    client: FlaskClient, inbox: Inbox
) -> None:
    UserFactory(email="claire@example.fr")
    known = _sign_up(client, "Claire@example.fr")
    unknown = _sign_up(client, "paul@example.fr")
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert _lasting_headers(known) == _lasting_headers(unknown)
    [warning] = inbox.to("claire@example.fr")
    assert warning["Subject"] == "Tentative de création de compte avec votre adresse"
    assert "Quelqu'un a tenté de créer un compte Relais avec votre adresse" in text_part(warning)
    assert "jeton=" not in text_part(warning)  # nothing to confirm: no second account
    assert _users("claire@example.fr") == 1
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 1  # Paul's


def test_a_weak_password_is_refused_with_the_reason(client: FlaskClient, inbox: Inbox) -> None:
    reasons = {}
    for password in ("court", "azertyuiop", "1234567890", "motdepasse123", "Relais2026!"):
        response = _sign_up(client, "lea@example.fr", password)
        assert response.status_code == 422, password
        [param] = response.get_json()["invalid_params"]
        assert param["name"] == "password"
        reasons[password] = param["reason"]
    assert reasons["court"] == "Mot de passe trop court : 10 caractères au minimum."
    assert reasons["azertyuiop"].startswith(
        "Mot de passe trop faible : c'est un mot de passe très courant."
    )
    assert "l'un des 100 mots de passe les plus courants" in reasons["1234567890"]
    assert "il reprend un mot lié à Relais ou aux factures" in reasons["motdepasse123"]
    assert "il reprend un mot lié à Relais ou aux factures" in reasons["Relais2026!"]
    assert all("Choisissez plutôt plusieurs mots" in r for r in list(reasons.values())[1:])
    assert inbox.messages == [] and _users("lea@example.fr") == 0


def test_a_weak_password_is_refused_for_a_known_address_too(
    client: FlaskClient, inbox: Inbox
) -> None:
    """The check comes first: a 422 says nothing about the address."""
    UserFactory(email="claire@example.fr")
    response = _sign_up(client, "claire@example.fr", "azertyuiop")
    assert response.status_code == 422
    assert inbox.messages == []


@pytest.mark.parametrize(
    "body",
    [
        {"email": "lea@example.fr", "password": STRONG, "full_name": "Léa\x00"},
        {"email": "lea@exa\x00mple.fr", "password": STRONG, "full_name": "Léa"},
        {"email": "lea@example.fr", "password": STRONG + "\x00", "full_name": "Léa"},
        {"email": "pas-une-adresse", "password": STRONG, "full_name": "Léa"},
        {"email": "lea@example.fr", "password": STRONG, "full_name": ""},
        {"email": "lea@example.fr", "password": STRONG, "full_name": "   "},
        {"email": "lea@example.fr", "password": STRONG, "full_name": "Léa\nBcc: x@y.fr"},
        {"email": "lea@example.fr\nBcc: x@y.fr", "password": STRONG, "full_name": "Léa"},
        {"email": "lea@example.fr", "password": "", "full_name": "Léa"},
        {"email": "lea@example.fr", "password": STRONG},
        {"email": "lea@example.fr", "password": STRONG, "full_name": "Léa", "is_admin": True},
    ],
)
def test_bad_input_is_refused_and_sends_nothing(
    client: FlaskClient, inbox: Inbox, body: dict[str, Any]
) -> None:
    response = client.post(SIGN_UP, json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["invalid_params"]
    assert inbox.messages == []


def test_the_same_sign_up_twice_at_once_makes_one_account(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    db.session.commit()  # the test's own transaction ends: the threads write
    answers: list[Any] = []

    def send() -> None:
        # A plain client: each thread's request gets an app context of its own.
        answers.append(_sign_up(FlaskClient(app), "lea@example.fr"))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].get_data() == answers[1].get_data()
    letters = inbox.to("lea@example.fr")
    assert len(letters) == 2
    tokens = [confirm_token(letter) for letter in letters]
    results: list[int] = []

    def confirm(token: str) -> None:
        results.append(FlaskClient(app).post(CONFIRM, json={"token": token}).status_code)

    threads = [threading.Thread(target=confirm, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409]
    assert _users("lea@example.fr") == 1
    # Later, one link has served, the other says the account is there.
    later = sorted(client.post(CONFIRM, json={"token": t}).status_code for t in tokens)
    assert later == [400, 409]


def test_sign_ups_are_rate_limited_per_address(client: FlaskClient, inbox: Inbox) -> None:
    statuses = [_sign_up(client, "lea@example.fr").status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]
    limited = _sign_up(client, "LEA@example.fr")
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert limited.mimetype == "application/problem+json"
    assert len(inbox.to("lea@example.fr")) == 5


def test_link_attempts_are_rate_limited_per_client(client: FlaskClient) -> None:
    statuses = [
        client.post(CONFIRM, json={"token": f"guess-{n:06d}"}).status_code for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]


def test_the_outbox_carries_the_link_by_default(client: FlaskClient, app: Flask) -> None:
    """Without SMTP_HOST the e-mail is an .eml file in the instance's outbox."""
    outbox = Path(app.extensions["relais_config"].instance_path) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    assert _sign_up(client, "outbox@example.fr").status_code == 202
    [written] = set(outbox.glob("*.eml")) - before
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "outbox@example.fr"
    token = confirm_token(message)
    assert client.post(CONFIRM, json={"token": token}).status_code == 201
