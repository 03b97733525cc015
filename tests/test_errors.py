"""Every error is problem+json (RFC 9457), in French unless English is asked, with no internals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend import create_app, i18n
from backend.api import PROBLEM_MEDIA_TYPE
from backend.config import Config
from backend.health.schemas import HealthOut
from tests.conftest import PG_URL
from tests.factories import UserFactory
from tests.helpers import auth_headers, is_its_schemas_dump

SECRET = "psycopg says: password=hunter2 at /srv/relais/backend/secret.py line 42"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.mimetype == PROBLEM_MEDIA_TYPE
    body = response.get_json()
    assert body["status"] == status
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["instance"] == response.request.path
    return body  # type: ignore[no-any-return]


def other_app(tmp_path: Path, database_url: str | None = None) -> Flask:
    """A production-like app (exceptions are handled, not propagated to the test)."""
    config = Config(
        instance_path=str(tmp_path / "instance"),
        database_url=database_url or f"sqlite:///{tmp_path / 'other.db'}",
        secret_key="errors-test-secret-key-0123456789-abcdefghij",
        testing=False,
    ).resolved()
    return create_app(config)


def test_unknown_route_is_404_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/api/v1/nope"), 404)
    assert body["detail"] == "Ressource introuvable."
    assert body["title"] == "Ressource introuvable."
    english = client.get("/api/v1/nope", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert assert_problem(english, 404)["detail"] == "Resource not found."
    assert english.headers["Content-Language"] == "en"


def test_wrong_method_is_405_problem_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/v1/me")
    body = assert_problem(response, 405)
    assert body["detail"] == "Méthode non autorisée."
    assert {"GET", "HEAD"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_malformed_json_body(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/auth/login", data='{"email": "a@b.fr",', content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert body["invalid_params"] == [
        {"name": "json", "in": "json", "reason": "Le corps de la requête n'est pas un JSON valide."}
    ]


@pytest.mark.parametrize("payload", [[1, 2], "login", 42])
def test_body_that_is_not_an_object(client: FlaskClient, payload: Any) -> None:
    body = assert_problem(client.post("/api/v1/auth/login", json=payload), 422)
    assert body["invalid_params"][0]["in"] == "json"
    assert body["invalid_params"][0]["reason"] == "Type de donnée invalide."


def test_missing_and_unknown_fields_are_named(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "a@b.fr", "mot_de_passe": "x"})
    body = assert_problem(response, 422)
    reasons = {p["name"]: p["reason"] for p in body["invalid_params"]}
    assert reasons == {"password": "Ce champ est obligatoire.", "mot_de_passe": "Champ inconnu."}


def test_invalid_query_string_in_english(client: FlaskClient) -> None:
    user = UserFactory()
    headers = {**auth_headers(client, user.email), "Accept-Language": "en"}
    body = assert_problem(client.get("/api/v1/invoices?limit=abc", headers=headers), 422)
    assert body["invalid_params"] == [
        {"name": "limit", "in": "query", "reason": "Not a valid integer."}
    ]
    assert body["detail"] == "field 'limit': Not a valid integer."


def test_missing_token_is_401_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/invoices")
    assert assert_problem(response, 401)["detail"] == "Authentification requise."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def crashing_app(tmp_path: Path) -> Flask:
    app = other_app(tmp_path)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError(SECRET)

    return app


def test_internal_error_is_500_problem_without_internals(
    crashing_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = crashing_app.test_client()
    response = client.get("/api/v1/boom")
    body = assert_problem(response, 500)
    assert body["detail"] == "Une erreur interne est survenue. Elle a été enregistrée."
    text = response.get_data(as_text=True)
    for leak in ("hunter2", "RuntimeError", "Traceback", "secret.py", "backend/"):
        assert leak not in text
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    # The details go to the log, where they belong.
    assert any(r.exc_info and SECRET in str(r.exc_info[1]) for r in caplog.records)

    english = client.get("/api/v1/boom", headers={"Accept-Language": "en"})
    detail = assert_problem(english, 500)["detail"]
    assert detail == "An internal error occurred. It has been logged."


def test_healthz_and_readyz(client: FlaskClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    is_its_schemas_dump(HealthOut(), health.get_json())
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok", "database": "ok"}


def test_readyz_is_503_problem_when_the_database_is_unreachable(tmp_path: Path) -> None:
    if PG_URL:
        url = "postgresql://postgres@127.0.0.1:1/relais"  # nothing listens on port 1
    else:
        url = f"sqlite:///{tmp_path / 'missing-dir' / 'relais.db'}"  # cannot be created
    app = other_app(tmp_path, url)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # the process is alive
    response = client.get("/readyz")
    body = assert_problem(response, 503)
    assert body["detail"] == "Service momentanément indisponible."
    assert "127.0.0.1" not in json.dumps(body) and "missing-dir" not in json.dumps(body)


@pytest.mark.nodb
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "fr"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("fr;q=0.5, en;q=0.8", "en"),
        ("de-DE,de;q=0.9", "fr"),
        ("*", "fr"),
        ("n'importe quoi;;q=x", "fr"),
    ],
)
def test_language_of_a_request(header: str, expected: str) -> None:
    app = Flask(__name__)
    headers = {"Accept-Language": header} if header else {}
    for _ in range(2):  # the second time from the parsed headers kept
        with app.test_request_context("/", headers=headers):
            assert i18n.locale() == expected
