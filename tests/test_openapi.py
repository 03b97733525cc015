"""Property-based run of the OpenAPI document (schemathesis) against the app, in process.

Every operation is called with generated data, authenticated as a seeded user (Bearer token)
and an integration client (X-API-Key); each response must be documented: no 5xx, a documented
status code, the documented content type and a body matching its schema.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import create_app
from backend.accounts.models import Role
from backend.config import Config
from backend.db import db
from backend.integrations.service import create_api_key
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import login

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _seed(app: Flask) -> dict[str, str]:
    """A supplier with invoices in several states; the headers that open every door."""
    with app.app_context():
        structure = StructureFactory()
        town = RecipientFactory()
        ServiceFactory(recipient=town, code="VOIRIE")
        user = UserFactory()
        MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
        path = [("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))]
        make_invoice(structure, town, [*path, ("REJETEE", at(5), "Montant erroné")])
        make_invoice(structure, town, [*path, ("SUSPENDUE", at(6))], service_code="VOIRIE")
        make_invoice(structure, town, [*path, ("ETAT_INEDIT", at(7))])
        make_invoice(structure, town, path[:1])
        _, key = create_api_key(db.session, "ERP", [structure])
        db.session.commit()
        token = login(app.test_client(), user.email)["access_token"]
        db.session.remove()
    # identity: the in-process client does not decompress brotli/gzip bodies.
    return {"Authorization": f"Bearer {token}", "X-API-Key": key, "Accept-Encoding": "identity"}


def _load_schema() -> Any:
    """The document as the app serves it; built at collection to parametrize per operation."""
    config = Config(
        instance_path=tempfile.mkdtemp(prefix="relais-openapi-"),
        database_url="sqlite://",
        secret_key="openapi-spec-only-" + "x" * 32,
        testing=True,
    ).resolved()
    document = create_app(config).test_client().get("/api/openapi.json").get_json()
    return schemathesis.openapi.from_dict(document)


# The tracking backend's resources (blueprint tags); add a tag here to fuzz its operations too.
TAGS = [
    "auth", "invoices", "payments", "integrations", "sync", "push",
    "trainings", "trainer", "announcements", "newsletter", "health",
]  # fmt: skip
schema = _load_schema().include(tag=TAGS)


@pytest.fixture
def credentials(app: Flask) -> dict[str, str]:
    return _seed(app)


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
def test_every_response_is_documented(case: Any, app: Flask, credentials: dict[str, str]) -> None:
    case.call_and_validate(app=app, headers=credentials, checks=CHECKS)
