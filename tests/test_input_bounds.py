"""Garbage in, a clear 4xx out: huge bodies, control characters, dates at the ends of time.

Each case was a 500 (or worse, every invoice) before Relais bounded its input; the same
tests run on SQLite and on PostgreSQL, whose failures differed.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.accounts.models import Role
from backend.db import db
from backend.integrations.service import create_api_key
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import auth_headers


@pytest.fixture
def member(app_ctx: Flask) -> dict[str, Any]:
    structure = StructureFactory()
    user = UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
    town = RecipientFactory()
    make_invoice(structure, town, [("DEPOSEE", at(2))], number="F-2026-001")
    make_invoice(structure, town, [("DEPOSEE", at(3))], number="F-2026-002")
    _, key = create_api_key(db.session, "ERP", [structure])
    db.session.commit()
    return {"email": user.email, "siret": structure.siret, "key": key}


def _refused(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    return body


def test_a_body_over_the_limit_is_413_in_french(client: FlaskClient, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    email = "a" * (limit + 10) + "@example.fr"
    response = client.post("/api/v1/auth/login", json={"email": email, "password": "x"})
    problem = _refused(response, 413)
    assert problem["detail"] == "La requête est trop volumineuse."
    assert response.headers["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/api/v1/invoices?changed_to=9999-12-31", "changed_to"),
        ("/api/v1/invoices?changed_from=0001-01-01", "changed_from"),
        ("/api/v1/invoices?invoice_date_to=9999-12-31", "invoice_date_to"),
        ("/api/v1/dashboard?changed_from=0001-01-01", "changed_from"),
        ("/api/v1/dashboard?changed_to=9999-12-31", "changed_to"),
    ],
)
def test_dates_at_the_ends_of_time_are_422(
    client: FlaskClient, member: dict[str, Any], path: str, reason: str
) -> None:
    problem = _refused(client.get(path, headers=auth_headers(client, member["email"])))
    assert problem["invalid_params"] == [
        {"name": reason, "in": "query", "reason": "Date hors des limites : années 2000 à 2100."}
    ]


def test_a_date_far_ahead_but_in_range_still_filters(
    client: FlaskClient, member: dict[str, Any]
) -> None:
    headers = auth_headers(client, member["email"])
    answer = client.get("/api/v1/invoices?changed_to=2100-12-31", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["total"] == 2


@pytest.mark.parametrize("bad", ["\\u0000", "a\\u0000b", "\\u001b[31m", "\\u007f", "\\ud800"])
def test_control_characters_in_the_login_email_are_422(
    client: FlaskClient, member: dict[str, Any], bad: str
) -> None:
    body = f'{{"email": "{member["email"]}{bad}", "password": "x"}}'  # JSON escapes, as sent
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    problem = _refused(response)
    assert problem["invalid_params"][0]["name"] == "email"
    assert problem["invalid_params"][0]["reason"].startswith("Caractère de contrôle refusé")


def test_a_field_named_with_a_lone_surrogate_is_named_back_readably(
    client: FlaskClient,
) -> None:
    body = '{"email": "a@example.fr", "password": "x", "\\ud800\\u0000": 1}'
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert _refused(response)["invalid_params"][0]["name"] == "\ufffd\ufffd"


def test_a_nul_in_the_search_is_422_not_every_invoice(
    client: FlaskClient, member: dict[str, Any]
) -> None:
    headers = auth_headers(client, member["email"])
    problem = _refused(client.get("/api/v1/invoices?q=%00", headers=headers))
    assert problem["invalid_params"][0]["name"] == "q"
    english = client.get("/api/v1/invoices?q=F%00", headers={**headers, "Accept-Language": "en"})
    assert _refused(english)["invalid_params"][0]["reason"].startswith("Control character")


def test_tabs_and_line_breaks_stay_allowed(client: FlaskClient, member: dict[str, Any]) -> None:
    headers = auth_headers(client, member["email"])
    answer = client.get("/api/v1/invoices?q=F-2026%09", headers=headers)
    assert answer.status_code == 200


def test_a_nul_in_a_device_token_is_422(client: FlaskClient, member: dict[str, Any]) -> None:
    headers = auth_headers(client, member["email"])
    body = {"token": "tok\x00en", "platform": "android"}
    problem = _refused(client.post("/api/v1/devices", json=body, headers=headers))
    assert problem["invalid_params"][0]["name"] == "token"


def test_a_nul_in_an_integration_number_fails_that_item_alone(
    client: FlaskClient, member: dict[str, Any]
) -> None:
    def item(portal_id: int, number: str) -> dict[str, Any]:
        invoice = {
            "portal_id": portal_id, "number": number, "structure_siret": member["siret"],
            "recipient_siret": member["siret"],
        }  # fmt: skip
        return {"invoice": invoice, "changes": []}

    body = {"items": [item(501, "F\x00-1"), item(502, "F-2")]}
    answer = client.post(
        "/api/v1/integrations/status-events", json=body, headers={"X-API-Key": member["key"]}
    )
    assert answer.status_code == 200, answer.get_json()
    first, second = answer.get_json()["results"]
    assert first["status"] == "error"
    assert first["invalid_params"][0]["name"] == "invoice.number"
    assert second["status"] == "ok" and second["created"]
