"""Two structures, a main manager, a plain user, an administrator; inbox and outbox rows."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.accounts.models import Role, Structure, User
from backend.db import db, utcnow
from backend.push.models import Delivery, Device, Notification
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.helpers import auth_headers

_tokens = itertools.count(1)


@dataclass
class World:
    mine: Structure
    other: Structure
    boss: User  # main manager of `mine`, user of `other`
    clerk: User  # plain user of `mine`
    stranger: User  # member of `other` only
    admin: User

    def headers(self, client: FlaskClient, user: User | None = None) -> dict[str, str]:
        return auth_headers(client, (user or self.boss).email)


@pytest.fixture
def world(app_ctx: Flask) -> World:
    mine, other = StructureFactory(name="Menuiserie Dupont"), StructureFactory(name="Autre SARL")
    boss, clerk, stranger = UserFactory(), UserFactory(), UserFactory()
    admin = UserFactory(is_admin=True)
    MembershipFactory(user=boss, structure=mine, role=Role.MAIN_MANAGER)
    MembershipFactory(user=boss, structure=other, role=Role.USER)
    MembershipFactory(user=clerk, structure=mine, role=Role.USER)
    MembershipFactory(user=stranger, structure=other, role=Role.MAIN_MANAGER)
    return World(mine, other, boss, clerk, stranger, admin)


def add_device(user: User, **fields: object) -> Device:
    values: dict[str, object] = {
        "token": f"tok-{next(_tokens)}-abcdefghijkl",
        "platform": "android",
        **fields,
    }
    device = Device(user_id=user.id, **values)
    db.session.add(device)
    db.session.commit()
    return device


def add_notification(
    user: User, structure: Structure | None, created_at: dt.datetime | None = None, **fields: object
) -> Notification:
    values: dict[str, object] = {
        "kind": "status",
        "category": "every_change",
        "status_code": "MISE_A_DISPOSITION",
        "title": "Facture F-1 : Mise à disposition",
        "body": "Commune de Villeurbanne. Nouveau statut : Mise à disposition.",
        **fields,
    }
    note = Notification(
        user_id=user.id,
        structure_id=structure.id if structure else None,
        created_at=created_at or utcnow(),
        **values,
    )
    db.session.add(note)
    db.session.commit()
    return note


def add_delivery(note: Notification, device: Device, state: str, **fields: object) -> Delivery:
    values: dict[str, object] = {"not_before": utcnow(), **fields}
    delivery = Delivery(notification_id=note.id, device_id=device.id, state=state, **values)
    db.session.add(delivery)
    db.session.commit()
    return delivery
