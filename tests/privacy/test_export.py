"""`GET /api/v1/me/export`: everything Relais holds about the person, in one JSON download,
with no secret in it and nothing of anyone else's."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import ForeignKey

from backend.db import Base
from backend.privacy import export
from backend.trainings.models import TrainingSession
from tests.accounts.conftest import Clock
from tests.factories import UserFactory
from tests.helpers import login
from tests.mail.smtp import Inbox
from tests.privacy.conftest import EXPORT, Person, bearer, fill
from tests.trainings.conftest import make_training


@pytest.fixture
def training(app_ctx: Flask) -> TrainingSession:
    return make_training(UserFactory(is_trainer=True, full_name="Julien Formateur").id)


@pytest.fixture
def people(
    client: FlaskClient, clock: Clock, inbox: Inbox, training: TrainingSession
) -> tuple[Person, Person]:
    ines = fill(client, clock, UserFactory(full_name="Inès Morel"), "ines", training)
    paul = fill(client, clock, UserFactory(full_name="Paul Roche"), "paul", training)
    return ines, paul


def test_the_export_holds_every_table_of_the_person(
    client: FlaskClient, people: tuple[Person, Person], training: TrainingSession
) -> None:
    ines, _ = people
    response = client.get(EXPORT, headers=ines.headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="relais-mes-donnees.json"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert "ETag" not in response.headers
    body = response.get_json()
    assert body["format"] == "relais-export/1"
    assert "factures" in body["about"]
    assert body["profile"] == {
        "id": ines.user.id,
        "email": ines.user.email,
        "full_name": "Inès Morel",
        "locale": "fr",
        "is_admin": False,
        "is_trainer": False,
        "created_at": body["profile"]["created_at"],
    }
    memberships = {m["structure"]["name"]: m for m in body["memberships"]}
    assert set(memberships) == {"Structure ines", "Autre structure ines"}
    main = memberships["Structure ines"]
    assert (main["role"], main["role_label"], main["services"]) == (
        "main_manager",
        "Gestionnaire principal",
        None,
    )
    assert main["structure"]["siret"] == ines.structure.siret
    [service] = memberships["Autre structure ines"]["services"]
    assert (service["code"], service["name"]) == ("SRV-ines", "Voirie ines")

    sessions = body["sessions"]
    assert len(sessions) == 2  # the ended one and the open one
    assert sum(s["revoked_at"] is not None for s in sessions) == 1
    assert all(s["device"] is None or "werkzeug" in s["device"].lower() for s in sessions)
    [key] = body["api_keys"]
    assert (key["name"], key["structure_ids"], key["revoked_at"]) == (
        "ERP ines",
        [ines.structure.id],
        None,
    )
    [device] = body["devices"]
    assert device["app_version"] == "ines 1.0" and "…" in device["token"]
    assert body["notification_settings"]["quiet_start"] == "22:00"
    assert body["notification_settings"]["quiet_end"] == "07:00"
    [preference] = body["notification_preferences"]
    assert preference == {
        "structure_id": ines.structure.id,
        "action_required": True,
        "payment": False,
        "every_change": True,
    }
    [notification] = body["notifications"]
    assert (notification["title"], notification["body"]) == ("Facture ines", "Texte ines")
    two_factor = body["two_factor"]
    assert two_factor["enabled"] and two_factor["enabled_since"]
    assert two_factor["recovery_codes_left"] == 10
    [join] = body["join_requests"]
    assert (join["structure"]["name"], join["state"]) == ("Structure demandée ines", "pending")
    [change] = body["email_changes_pending"]
    assert change["new_email"] == "nouvelle-ines@example.fr"
    [registration] = body["training_registrations"]
    assert registration["training"]["title"] == training.title
    assert (registration["full_name"], registration["state"]) == ("Participant ines", "confirmed")
    [sent] = body["invitations_sent"]
    assert (sent["email"], sent["role"], sent["structure"]["name"]) == (
        "invitee-ines@example.fr",
        "manager",
        "Structure ines",
    )
    [received] = body["invitations_received"]
    assert (received["email"], received["structure"]["name"]) == (
        ines.user.email,
        "Structure demandée ines",
    )
    assert body["trainings_given"] == []
    assert body["newsletter"]["state"] == "active"


def test_the_export_shows_no_secret_and_nothing_of_another_person(
    client: FlaskClient, people: tuple[Person, Person]
) -> None:
    for person, other in (people, people[::-1]):
        text = client.get(EXPORT, headers=person.headers).get_data(as_text=True)
        assert person.marker in text
        assert other.marker not in text, other.marker
        assert other.user.email not in text
        for secret in person.secrets:
            assert secret not in text
        for recovery in person.recovery_codes:
            assert recovery.replace("-", "") not in text


def test_a_trainer_sees_the_sessions_they_give(client: FlaskClient, app_ctx: Flask) -> None:
    trainer = UserFactory(is_trainer=True)
    given = make_training(trainer.id, title="Suivre ses factures")
    body = client.get(EXPORT, headers=bearer(login(client, trainer.email))).get_json()
    assert [t["id"] for t in body["trainings_given"]] == [given.id]
    assert body["profile"]["is_trainer"] is True
    # Someone with nothing but an account gets every section, empty.
    empty = UserFactory()
    body = client.get(EXPORT, headers=bearer(login(client, empty.email))).get_json()
    assert body["memberships"] == body["notifications"] == body["training_registrations"] == []
    assert body["newsletter"] is None and body["notification_settings"] is None
    assert body["two_factor"] == {"enabled": False, "enabled_since": None, "recovery_codes_left": 0}


def test_the_export_needs_a_login(client: FlaskClient) -> None:
    response = client.get(EXPORT)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


PERSONAL_COLUMNS = {"email", "full_name", "user_agent", "token"}


def _personal_tables() -> set[str]:
    """Tables with a link to a user or a column that names or reaches a person."""
    found = set()
    for table in Base.metadata.sorted_tables:
        to_users = any(
            isinstance(fk, ForeignKey) and fk.target_fullname == "users.id"
            for column in table.columns
            for fk in column.foreign_keys
        )
        if to_users or PERSONAL_COLUMNS & set(table.columns.keys()):
            found.add(table.name)
    return found


def test_the_inventory_names_every_table_about_people() -> None:
    """A new table about people must say what the export and the deletion do with it."""
    docstring = ast.get_docstring(ast.parse(Path(export.__file__).read_text(encoding="utf-8")))
    assert docstring is not None
    listed = set(re.findall(r"^- ([a-z_]+)", docstring, re.MULTILINE))
    listed |= set(re.findall(r"^- [a-z_]+, ([a-z_]+)", docstring, re.MULTILINE))
    missing = _personal_tables() - listed
    assert missing == set(), f"add these tables to the inventory of {export.__name__}"
    assert {"users", "training_registrations", "newsletter_subscriptions"} <= listed
