"""Answers are encoded by orjson and read the same as with Flask's own encoder; no cookies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, session
from flask.json.provider import DefaultJSONProvider
from flask.testing import FlaskClient
from markupsafe import Markup

from backend.jsonio import OrjsonProvider
from tests.factories import UserFactory
from tests.helpers import auth_headers


@dataclasses.dataclass
class Point:
    x: int
    label: str


PARIS = dt.timezone(dt.timedelta(hours=1))
SAMPLES: list[Any] = [
    {"texte": "Facture rejetée — à recycler", "montant": Decimal("1234.50")},
    {"quand": dt.datetime(2026, 12, 2, 10, 30, 5, 123456, tzinfo=dt.UTC)},
    {"jour": dt.date(2026, 12, 2), "heure": dt.datetime(2026, 12, 2, 10, tzinfo=PARIS)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "point": Point(3, "é")},
    {1: "clé entière", 2: "deux"},
    {"liste": [None, True, 1.5, -3, "€"]},
    {"html": Markup("<b>gras</b>")},
    [],
    "plain",
]


@pytest.mark.parametrize("value", SAMPLES)
def test_reads_the_same_as_flasks_encoder(app: Flask, value: Any) -> None:
    ours = OrjsonProvider(app).dumps(value)
    flasks = DefaultJSONProvider(app).dumps(value)
    assert json.loads(ours) == json.loads(flasks)


def test_text_is_utf8_not_escaped(app: Flask) -> None:
    with app.test_request_context():
        response = app.json.response({"label": "Mise en paiement — à venir"})
    assert response.mimetype == "application/json"
    assert "Mise en paiement — à venir".encode() in response.data
    assert response.data.endswith(b"\n")
    assert json.loads(response.data) == {"label": "Mise en paiement — à venir"}


def test_keys_keep_their_order(app: Flask) -> None:
    assert OrjsonProvider(app).dumps({"items": [], "total": 0, "limit": 20}) == (
        '{"items":[],"total":0,"limit":20}'
    )


def test_what_json_cannot_say_is_refused(app: Flask) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        OrjsonProvider(app).dumps({"x": object()})


def test_options_fall_back_to_the_standard_library(app: Flask) -> None:
    assert OrjsonProvider(app).dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert OrjsonProvider(app).loads('{"a": 1.5}', parse_float=Decimal) == {"a": Decimal("1.5")}


def test_a_real_answer_is_orjson_and_sets_no_cookie(client: FlaskClient) -> None:
    user = UserFactory()
    response = client.get("/api/v1/invoices", headers=auth_headers(client, user.email))
    assert response.status_code == 200
    assert b'{"items":' in response.data  # compact, in the order the code wrote it
    assert "Set-Cookie" not in response.headers
    problem = client.get("/api/v1/invoices/999999", headers=auth_headers(client, user.email))
    assert problem.status_code == 404
    assert problem.mimetype == "application/problem+json"
    assert problem.get_json()["status"] == 404
    assert "Set-Cookie" not in problem.headers


def test_no_cookie_session_is_kept(app: Flask) -> None:
    with app.test_request_context("/"):
        app.preprocess_request()
        with pytest.raises(RuntimeError, match="session is unavailable"):
            session["user"] = 1
