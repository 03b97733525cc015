"""Property-based run of the OpenAPI document (schemathesis) against the app, in process.

Every operation is called with generated data, authenticated as a seeded main manager
(Bearer token) and an integration client (X-API-Key); the trainers' and the admins'
operations again as a trainer and as an admin, so their bodies are reached. Generated cases
may carry one extreme value somewhere in their query, path or body (EXTREMES: the ends of
time, NUL and other control characters, 100 kB strings, integers beyond 64 bits): about one
in four of the fuzzing phase's. Each response must be documented: no 5xx, a documented status
code, the documented content type and a body matching its schema.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask, current_app
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import create_app
from backend.accounts.models import Role, User
from backend.accounts.service import start_session
from backend.config import Config
from backend.db import db
from backend.integrations.service import create_api_key
from backend.trainings.models import SessionState
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.onboarding.conftest import Portal, portal_for
from tests.trainings.conftest import make_training

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Values no schema lets through unchecked: each must end in a documented 4xx, never a 5xx.
EXTREMES: list[Any] = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59Z",
    "\x00",
    "F-\x00-1",
    "\x01\x08\x1b[2J\x7f",
    "x" * 100_000,
    2**63,
    -(2**63) - 1,
    10**30,
]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to the scalar values inside a query, path parameters or a JSON body."""
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, (*path, i))]
    return [path]


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def _with_extreme(case: Any, spot: tuple[str, tuple[Any, ...]], extreme: Any) -> Any:
    container, path = spot
    setattr(case, container, _replaced(getattr(case, container), path, extreme))
    return case


def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """The case as generated, or with one of its values replaced by an extreme."""
    spots = [
        (container, path)
        for container in ("query", "path_parameters", "body")
        if isinstance(getattr(case, container), dict | list)
        for path in _leaves(getattr(case, container))
        if path
    ]
    if not spots:
        return st.just(case)
    mutated = st.tuples(st.sampled_from(spots), st.sampled_from(EXTREMES))
    return st.one_of(st.just(case), mutated.map(lambda choice: _with_extreme(case, *choice)))


def _bearer(user: User) -> str:
    pair = start_session(db.session, user, config=current_app.extensions["relais_config"])
    return f"Bearer {pair.access_token}"


def _seed(app: Flask) -> dict[str, dict[str, str]]:
    """A supplier with invoices in several states, a trainer's sessions, an administrator;
    the headers of each identity (the API key rides along)."""
    with app.app_context():
        structure = StructureFactory()
        town = RecipientFactory()
        ServiceFactory(recipient=town, code="VOIRIE")
        manager = UserFactory()
        MembershipFactory(user=manager, structure=structure, role=Role.MAIN_MANAGER)
        path = [("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))]
        make_invoice(structure, town, [*path, ("REJETEE", at(5), "Montant erroné")])
        make_invoice(structure, town, [*path, ("SUSPENDUE", at(6))], service_code="VOIRIE")
        make_invoice(structure, town, [*path, ("ETAT_INEDIT", at(7))])
        make_invoice(structure, town, path[:1])
        trainer, admin = UserFactory(is_trainer=True), UserFactory(is_admin=True)
        make_training(trainer.id)
        make_training(trainer.id, state=SessionState.DRAFT)
        _, key = create_api_key(db.session, "ERP", [structure])
        users = {"manager": manager, "trainer": trainer, "admin": admin}
        tokens = {name: _bearer(user) for name, user in users.items()}
        db.session.commit()
        db.session.remove()
    # identity: the in-process client does not decompress brotli/gzip bodies.
    common = {"X-API-Key": key, "Accept-Encoding": "identity"}
    return {name: {"Authorization": token, **common} for name, token in tokens.items()}


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
    "auth", "accounts", "sessions", "privacy", "invoices", "payments", "integrations", "sync",
    "structures", "members", "invitations", "push", "trainings", "trainer", "announcements",
    "newsletter", "health", "two_factor",
]  # fmt: skip
document = _load_schema()
schema = document.include(tag=TAGS)
# What a trainer and an admin may do that a manager may not: their bodies are reached.
as_trainer = document.include(tag="trainer")
as_admin = document.include(path_regex="^/api/v1/(admin/|trainer/|announcements)")


def fuzz(examples: int) -> Any:
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture
def credentials(app: Flask) -> dict[str, dict[str, str]]:
    return _seed(app)


@pytest.fixture
def sandbox(app: Flask) -> Iterator[Portal]:
    """The portal sandbox answers the proofs of technical accounts (none listening: a 503)."""
    with portal_for(app, invoices=0) as portal:
        yield portal


@schema.hooks.apply(flatmap_case)
@schema.parametrize()
@fuzz(30)
def test_every_response_is_documented(
    case: Any, app: Flask, credentials: dict[str, dict[str, str]], sandbox: Portal
) -> None:
    case.call_and_validate(app=app, headers=credentials["manager"], checks=CHECKS)


@as_trainer.hooks.apply(flatmap_case)
@as_trainer.parametrize()
@fuzz(30)
def test_every_response_to_a_trainer_is_documented(
    case: Any, app: Flask, credentials: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(app=app, headers=credentials["trainer"], checks=CHECKS)


@as_admin.hooks.apply(flatmap_case)
@as_admin.parametrize()
@fuzz(30)
def test_every_response_to_an_admin_is_documented(
    case: Any, app: Flask, credentials: dict[str, dict[str, str]]
) -> None:
    case.call_and_validate(app=app, headers=credentials["admin"], checks=CHECKS)
