"""What the schemathesis run (tests/test_openapi.py) found, replayed as plain requests.

The fuzzer draws at random: once it has found a 500, the request stays here, so the fix is
checked on every run and not only when the draw repeats.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import UserFactory
from tests.helpers import auth_headers
from tests.trainings.conftest import make_training

TWO_PARTS_ONE_UNREADABLE = {
    "format": "coaching",
    "parts": [
        {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "1999-01-01T00:00:00Z"},
        {"starts_at": "2030-01-08T10:00:00Z", "ends_at": "2030-01-08T11:00:00Z"},
    ],
}


def _reasons(response: Any) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in response.get_json()["invalid_params"]}


def test_a_part_with_a_refused_date_next_to_another_is_a_422(
    client: FlaskClient, app_ctx: Any
) -> None:
    """The order of two parts was checked even when one had lost a date to its own error:
    a KeyError, so a 500 (POST and PATCH, found by the trainer's run)."""
    trainer = UserFactory(is_trainer=True)
    headers = auth_headers(client, trainer.email)
    body = {**TWO_PARTS_ONE_UNREADABLE, "title": "Atelier", "capacity": 10}
    created = client.post("/api/v1/trainer/trainings", json=body, headers=headers)
    assert created.status_code == 422
    assert "parts.0.ends_at" in _reasons(created)
    path = f"/api/v1/trainer/trainings/{make_training(trainer.id).id}"
    edited = client.patch(path, json=TWO_PARTS_ONE_UNREADABLE, headers=headers)
    assert edited.status_code == 422
    assert "parts.0.ends_at" in _reasons(edited)
