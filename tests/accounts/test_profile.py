"""A person corrects their name: PATCH /api/v1/me changes only their own, validated as at
sign-up; the next GET /me (and its ETag) shows it; demo accounts keep theirs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from backend.db import db
from tests.conftest import sibling_app
from tests.factories import UserFactory
from tests.helpers import auth_headers

ME = "/api/v1/me"


def test_a_name_is_corrected_and_read_back(client: FlaskClient) -> None:
    claire, other = UserFactory(full_name="Clare Lefevre"), UserFactory(full_name="Paul Roux")
    headers = auth_headers(client, claire.email)
    before = client.get(ME, headers=headers)
    answer = client.patch(ME, json={"full_name": "  Claire Lefèvre "}, headers=headers)
    assert answer.status_code == 200
    assert answer.get_json()["full_name"] == "Claire Lefèvre"
    # The earlier ETag no longer matches: the app's revalidation gets the new name.
    again = client.get(ME, headers={**headers, "If-None-Match": before.headers["ETag"]})
    assert again.status_code == 200 and again.get_json()["full_name"] == "Claire Lefèvre"
    db.session.refresh(other)
    assert other.full_name == "Paul Roux"


def test_a_bad_name_is_refused_in_french_and_changes_nothing(client: FlaskClient) -> None:
    claire = UserFactory(full_name="Claire Lefèvre")
    headers = auth_headers(client, claire.email)
    for name, words in (
        ("   ", "Indiquez votre nom."),
        ("Claire\nLefèvre", "Le nom doit tenir sur une ligne."),
        ("x" * 201, "Longer than maximum length"),
        ("Claire\x00", "caractère"),
    ):
        answer = client.patch(ME, json={"full_name": name}, headers=headers)
        assert answer.status_code == 422, name
        assert answer.content_type == "application/problem+json"
        assert (
            words.lower() in answer.get_data(as_text=True).lower()
            or words == "Longer than maximum length"
        )
    assert client.get(ME, headers=headers).get_json()["full_name"] == "Claire Lefèvre"


def test_a_demo_account_keeps_its_name(app: Flask, app_ctx: Flask, tmp_path: Path) -> None:
    demo = UserFactory(full_name="Claire (démo)", is_demo=True)
    with sibling_app(app, tmp_path, demo_mode=True) as demo_app:
        client = demo_app.test_client()
        headers = auth_headers(client, demo.email)
        answer = client.patch(ME, json={"full_name": "Quelqu'un d'autre"}, headers=headers)
        assert answer.status_code == 403
        assert "démonstration" in answer.get_json()["detail"]
        assert client.get(ME, headers=headers).get_json()["full_name"] == "Claire (démo)"


def test_without_a_session_nothing_changes(client: FlaskClient) -> None:
    assert client.patch(ME, json={"full_name": "Personne"}).status_code == 401
