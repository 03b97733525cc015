"""The verdict on a password being typed (the app's live feedback): the sign-up's own rule
and reason, nothing stored, nothing said about any account, rate-limited per address."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.emailed import AccountLink
from backend.accounts.models import User
from backend.db import db
from tests.accounts.conftest import STRONG

CHECK = "/api/v1/accounts/password-check"


def _verdict(client: FlaskClient, password: str, **personal: str) -> dict[str, object]:
    response = client.post(CHECK, json={"password": password, **personal})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_a_strong_password_is_acceptable(client: FlaskClient) -> None:
    assert _verdict(client, STRONG) == {"acceptable": True, "message": None}


def test_a_weak_one_gets_the_sign_ups_reason_in_french(client: FlaskClient) -> None:
    short = _verdict(client, "court")
    assert short == {
        "acceptable": False,
        "message": "Mot de passe trop court : 10 caractères au minimum.",
    }
    common = _verdict(client, "azertyuiop")
    assert common["acceptable"] is False
    assert "mot de passe très courant" in str(common["message"])
    # The same words as the sign-up's refusal.
    body = {"email": "lea@example.fr", "full_name": "Léa Garnier", "password": "azertyuiop"}
    refused = client.post("/api/v1/accounts", json=body).get_json()
    assert refused["invalid_params"][0]["reason"] == common["message"]


def test_the_persons_own_name_and_address_count(client: FlaskClient) -> None:
    password = "garnierbrest"
    assert _verdict(client, password)["acceptable"] is True
    own = _verdict(client, password, email="lea.garnier@example.fr", full_name="Léa Garnier")
    assert own["acceptable"] is False
    assert "il reprend votre nom ou votre adresse e-mail" in str(own["message"])


@pytest.mark.parametrize(
    "body",
    [{}, {"password": ""}, {"password": "x" * 1025}, {"password": STRONG, "email": "x" * 255}],
)
def test_bodies_out_of_bounds_are_refused(client: FlaskClient, body: dict[str, str]) -> None:
    response = client.post(CHECK, json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_nothing_is_stored(client: FlaskClient) -> None:
    _verdict(client, STRONG, email="lea@example.fr", full_name="Léa Garnier")
    db.session.commit()  # a fresh read
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(AccountLink)) == 0


def test_verdicts_are_rate_limited_per_client(client: FlaskClient, app: Flask) -> None:
    config = app.extensions["relais_config"]
    app.extensions["relais_config"] = dataclasses.replace(
        config, password_check_rate_limit="3 per minute"
    )
    try:
        statuses = [client.post(CHECK, json={"password": STRONG}).status_code for _ in range(4)]
    finally:
        app.extensions["relais_config"] = config
    assert statuses == [200] * 3 + [429]
