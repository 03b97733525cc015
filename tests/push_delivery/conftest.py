"""A loopback FCM HTTP v1 server, the real firebase-admin transport, and a small world."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert

from backend.accounts.models import Recipient, RecipientService, Role, Structure, User
from backend.db import current_session, utcnow
from backend.push.models import Delivery, Device, Notification
from backend.push.transport import wake_dispatchers
from notifications.firebase import FirebaseTransport
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
)


@pytest.fixture
def credentials(service_account_file: Path) -> Path:
    """The service-account file whose token_uri points at the loopback server."""
    return service_account_file


@pytest.fixture
def transport(firebase_transport: FirebaseTransport) -> FirebaseTransport:
    """The real SDK, aimed at the loopback server."""
    return firebase_transport


@dataclass
class World:
    structure: Structure
    recipient: Recipient
    roads: RecipientService
    manager: User
    roads_only: User
    outsider: User


def add_device(user: User, token: str, platform: str = "android", locale: str = "fr") -> Device:
    device = Device(user_id=user.id, token=token, platform=platform, locale=locale)
    current_session().add(device)
    current_session().commit()
    return device


def queue_pushes(user_id: int, device_id: int, structure_id: int, count: int) -> set[int]:
    """`count` notifications, each with one pending push to the device, inserted in bulk and
    announced to the dispatchers (NOTIFY on PostgreSQL); their ids."""
    session = current_session()
    now = utcnow()
    notes = [
        {"user_id": user_id, "structure_id": structure_id, "kind": "status_change",
         "category": "every_change", "status_code": "MANDATEE",
         "title": f"Facture F-{n} : Mandatée", "body": "Commune. Nouveau statut : Mandatée.",
         "created_at": now}
        for n in range(count)
    ]  # fmt: skip
    ids = list(session.scalars(insert(Notification).returning(Notification.id), notes))
    session.execute(
        insert(Delivery),
        [{"notification_id": i, "device_id": device_id, "not_before": now, "state": "pending",
          "attempts": 0, "created_at": now} for i in ids],
    )  # fmt: skip
    wake_dispatchers(session)
    session.commit()
    return set(ids)


@pytest.fixture
def world(app_ctx: Flask) -> World:
    structure = StructureFactory(name="Menuiserie Dupont")
    recipient = RecipientFactory(name="Commune de Villeurbanne")
    roads = ServiceFactory(recipient=recipient, code="VOIRIE", name="Voirie")
    ServiceFactory(recipient=recipient, code="ECOLES", name="Écoles")
    manager, roads_only, outsider = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=manager, structure=structure, role=Role.MAIN_MANAGER)
    MembershipFactory(user=roads_only, structure=structure, role=Role.USER, services=[roads])
    MembershipFactory(user=outsider, role=Role.MAIN_MANAGER)
    return World(structure, recipient, roads, manager, roads_only, outsider)
