"""A person with data in every table Relais keeps about people, and the helpers the export and
deletion tests share. Every text of the person's contains their marker, so another person's
data shows in an answer as their marker."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pyotp
from flask.testing import FlaskClient

from backend.accounts.emailed import AccountLink, Purpose
from backend.accounts.models import Membership, Role, Structure, User
from backend.accounts.security import new_opaque_token
from backend.announcements.models import NewsletterSubscription, SubscriptionState
from backend.db import db, utcnow
from backend.integrations.service import create_api_key
from backend.members.invitations import invite
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest, JoinState
from backend.push.models import NotificationPreference, NotificationSettings
from backend.trainings.models import Registration, RegistrationState, TrainingSession
from tests.accounts.conftest import Clock, clock, inbox, smtp_server
from tests.factories import PASSWORD, MembershipFactory, ServiceFactory, StructureFactory
from tests.helpers import login
from tests.push.conftest import add_device, add_notification

__all__ = ["clock", "inbox", "smtp_server"]

EXPORT = "/api/v1/me/export"
ME = "/api/v1/me"


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


@dataclass
class Person:
    """What the test put in each table for one person, to find it (or not) in an answer."""

    user: User
    marker: str
    structure: Structure
    pair: dict[str, Any]
    secret: str = ""
    recovery_codes: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)  # must never be in any export

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.pair)


def register(training: TrainingSession, email: str, marker: str, **values: Any) -> Registration:
    """A sign-up straight into the table (the sign-up journey has its own tests)."""
    position = training.serial = training.serial + 1
    reg = Registration(
        training_id=training.id,
        email=email,
        full_name=f"Participant {marker}",
        structure_name=f"Atelier {marker}",
        siret=None,
        state=values.pop("state", RegistrationState.CONFIRMED),
        position=position,
        consent_at=utcnow(),
        email_confirmed_at=utcnow(),
        **values,
    )
    db.session.add(reg)
    db.session.commit()
    return reg


def fill(client: FlaskClient, clock: Clock, user: User, marker: str, training: Any) -> Person:
    """Data of the person's in every table: two structures (one restricted to a service), two
    logins (one ended), a device and its inbox, preferences and quiet hours, 2FA on, a join
    request, an address change waiting, a training sign-up and the newsletter."""
    structure = StructureFactory(name=f"Structure {marker}")
    restricted = StructureFactory(name=f"Autre structure {marker}")
    MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
    service = ServiceFactory(code=f"SRV-{marker}", name=f"Voirie {marker}")
    db.session.add(
        Membership(user_id=user.id, structure_id=restricted.id, role=Role.USER, services=[service])
    )
    wanted = StructureFactory(name=f"Structure demandée {marker}")
    db.session.add(JoinRequest(structure_id=wanted.id, user_id=user.id, state=JoinState.PENDING))
    _, key = create_api_key(db.session, f"ERP {marker}", [structure])
    invite(
        db.session, actor_id=user.id, structure_id=structure.id,
        email=f"invitee-{marker}@example.fr", role=Role.MANAGER, service_ids=[],
        lifetime=dt.timedelta(days=7), now=utcnow(),
    )  # fmt: skip
    invitation_to(user.email, wanted)
    db.session.commit()

    ended = login(client, user.email)
    pair = login(client, user.email)
    assert client.post("/api/v1/auth/logout", headers=bearer(ended)).status_code == 204
    device = add_device(user, app_version=f"{marker} 1.0")
    add_notification(user, structure, title=f"Facture {marker}", body=f"Texte {marker}")
    db.session.add(
        NotificationPreference(user_id=user.id, structure_id=structure.id, payment=False)
    )
    db.session.add(
        NotificationSettings(
            user_id=user.id, quiet_start=dt.time(22), quiet_end=dt.time(7), time_zone="Europe/Paris"
        )
    )
    db.session.add(
        NewsletterSubscription(
            email=user.email, state=SubscriptionState.ACTIVE, consent_at=utcnow()
        )
    )
    db.session.commit()
    register(training, user.email, marker)

    started = client.post("/api/v1/me/two-factor", headers=bearer(pair)).get_json()
    code = pyotp.TOTP(started["secret"]).at(clock.now)
    confirmed = client.post(
        "/api/v1/me/two-factor/confirm", json={"code": code}, headers=bearer(pair)
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    clock.advance(seconds=30)  # the next code is a new step
    change = {"password": PASSWORD, "new_email": f"nouvelle-{marker}@example.fr"}
    assert client.post("/api/v1/me/email", json=change, headers=bearer(pair)).status_code == 202

    person = Person(user, marker, structure, pair, started["secret"])
    person.recovery_codes = confirmed.get_json()["recovery_codes"]
    person.secrets = [
        key,
        device.token,
        started["secret"],
        pair["refresh_token"],
        user.password_hash,
        *person.recovery_codes,
    ]
    return person


def invitation_to(email: str, structure: Structure, **values: Any) -> Invitation:
    """An invitation of another structure's to this address (pending unless told otherwise)."""
    _, digest = new_opaque_token()
    invitation = Invitation(
        structure_id=structure.id, email=email, role=Role.USER, token_hash=digest,
        expires_at=utcnow() + dt.timedelta(days=7), **values,
    )  # fmt: skip
    db.session.add(invitation)
    db.session.commit()
    return invitation


def sign_up_link(email: str) -> None:
    """A sign-up to the address not confirmed yet (a name and a password hash wait in it)."""
    _, digest = new_opaque_token()
    db.session.add(
        AccountLink(
            purpose=Purpose.SIGN_UP,
            token_hash=digest,
            email=email,
            full_name="Inscription en attente",
            password_hash="$argon2id$pending",
            expires_at=utcnow() + dt.timedelta(hours=1),
        )
    )
    db.session.commit()


def code(person: Person, clock: Clock) -> str:
    """A code of the person's second factor, never used before (the clock moves a step)."""
    clock.advance(seconds=30)
    return pyotp.TOTP(person.secret).at(clock.now)
