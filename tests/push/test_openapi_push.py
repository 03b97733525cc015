"""Schemathesis over the push operations: every response documented (see tests/test_openapi.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from backend.accounts.models import Structure, User
from backend.db import db
from tests.push.conftest import add_delivery, add_device, add_notification
from tests.test_openapi import CHECKS, _load_schema, _seed

schema = _load_schema().include(tag=["push"])


@pytest.fixture
def credentials(app: Flask) -> dict[str, str]:
    """The shared seed, plus a device, an inbox entry and a dead letter."""
    headers = _seed(app)
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        structure = db.session.scalars(select(Structure)).one()
        note = add_notification(user, structure)
        add_delivery(note, add_device(user), "dead", attempts=8)
        db.session.remove()
    return headers


@schema.parametrize()
@settings(
    max_examples=30,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_every_push_response_is_documented(
    case: Any, app: Flask, credentials: dict[str, str]
) -> None:
    case.call_and_validate(app=app, headers=credentials, checks=CHECKS)
