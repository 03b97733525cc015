"""A loopback FCM HTTP v1 server, the real firebase-admin transport, and a small world."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from backend.accounts.models import Recipient, RecipientService, Role, Structure, User
from backend.db import current_session
from backend.push.models import Device
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
