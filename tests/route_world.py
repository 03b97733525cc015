"""The world of the route guard: structure A's people and rows, and the outsiders around them.

Every private value of A's (structure name, comments, device, notification, sync error,
visio link, participant) contains MARKER, so a leak shows in any answer as that word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from flask import Flask, current_app
from sqlalchemy import select

from backend.accounts.models import AuthSession, Role, Structure
from backend.accounts.security import issue_access_token
from backend.accounts.service import TokenPair, revoke, start_session
from backend.announcements.models import Announcement, Category
from backend.db import Base, db, utcnow
from backend.integrations.service import create_api_key, revoke_api_key
from backend.members import invitations
from backend.onboarding.models import JoinRequest, JoinState
from backend.sync.models import SyncState
from backend.trainings.models import Registration, RegistrationState, SessionState
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    make_invoice,
)
from tests.onboarding.conftest import Portal, portal_for
from tests.payments_api.conftest import received
from tests.push.conftest import add_delivery, add_device, add_notification
from tests.trainings.conftest import make_training

MARKER = "secret-a"
# Written by any request (the limiter's counters), whoever sends it.
VOLATILE = {"rate_limits"}


@dataclass
class World:
    a: Structure
    b: Structure
    town: Any
    ids: dict[str, int] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # e-mailed links' tokens
    portal: Portal | None = None  # A is its supplier 0; its supplier 1 is not in Relais yet

    def log_in_again(self, who: str) -> None:
        """A fresh login session for a user (API keys and forged tokens stay as they are)."""
        if who in self.users:
            self.headers[who] = _bearer(self.users[who])


def _session(user: Any) -> tuple[TokenPair, AuthSession]:
    pair = start_session(db.session, user, config=current_app.extensions["relais_config"])
    query = select(AuthSession).where(AuthSession.user_id == user.id)
    return pair, db.session.scalars(query.order_by(AuthSession.id.desc())).first()  # type: ignore[return-value]


def _bearer(user: Any) -> dict[str, str]:
    pair, _ = _session(user)
    db.session.commit()
    return {"Authorization": f"Bearer {pair.access_token}"}


def _false_credentials(manager: Any) -> dict[str, dict[str, str]]:
    """Tokens that open no door: forged, expired, revoked, a refresh token, a disabled user's."""
    secret = current_app.extensions["relais_config"].secret_key
    pair, live = _session(manager)
    revoked_pair, revoked = _session(manager)
    revoke(db.session, revoked)
    disabled_pair, _ = _session(UserFactory(active=False))
    tokens = {
        "garbage_token": "not.a.token",
        "forged_token": issue_access_token(manager.id, live.id, "x" * 48, 300),
        "expired_token": issue_access_token(manager.id, live.id, secret, -60),
        "refresh_token": pair.refresh_token,
        "revoked_token": revoked_pair.access_token,
        "disabled_user": disabled_pair.access_token,
    }
    db.session.commit()
    return {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}


def _people(w: World) -> dict[str, Any]:
    users = {
        "a_manager": UserFactory(full_name="Gérante secret-a"),
        "a_member": UserFactory(),
        "a_roads_only": UserFactory(),  # sees A's VOIRIE invoices only (A's invoice is not)
        "b_manager": UserFactory(),
        "nobody": UserFactory(),
        "trainer": UserFactory(is_trainer=True),
        "other_trainer": UserFactory(is_trainer=True),
        "admin": UserFactory(is_admin=True),
    }
    MembershipFactory(user=users["a_manager"], structure=w.a, role=Role.MAIN_MANAGER)
    MembershipFactory(user=users["a_member"], structure=w.a, role=Role.USER)
    roads = ServiceFactory(recipient=w.town, code="VOIRIE")
    MembershipFactory(user=users["a_roads_only"], structure=w.a, services=[roads])
    MembershipFactory(user=users["b_manager"], structure=w.b, role=Role.MAIN_MANAGER)
    w.users = users
    for name, user in users.items():
        w.ids[name] = user.id
        w.headers[name] = _bearer(user)
    w.headers["anonymous"] = {}
    w.headers |= _false_credentials(users["a_manager"])
    w.headers["a_bearer"] = _bearer(users["a_manager"])  # sent where an API key is due
    return users


def _keys(w: World) -> None:
    _, a_key = create_api_key(db.session, "ERP de A", [w.a])
    _, b_key = create_api_key(db.session, "ERP de B", [w.b])
    revoked, revoked_key = create_api_key(db.session, "Ancien ERP de A", [w.a])
    revoke_api_key(db.session, revoked)
    db.session.commit()
    for name, key in (("a_key", a_key), ("b_key", b_key), ("revoked_key", revoked_key)):
        w.headers[name] = {"X-API-Key": key}
    w.headers["anonymous_key"] = {}
    w.headers["garbage_key"] = {"X-API-Key": "rk_garbage"}


def _a_rows(w: World, manager: Any) -> None:
    late = make_invoice(
        w.a,
        w.town,
        [*received(40)[:1], (*received(40)[1], "Remarque secret-a")],
        number="F-A-0001",
    )
    sessions = db.session.scalars(select(AuthSession).where(AuthSession.user_id == manager.id))
    device = add_device(manager, app_version="secret-a 1.0", auth_session_id=sessions.first().id)  # type: ignore[union-attr]
    note = add_notification(manager, w.a, title="Facture F-A-0001 secret-a")
    dead = add_delivery(note, device, "dead", attempts=8, last_error="UNAVAILABLE")
    db.session.add(SyncState(structure_id=w.a.id, next_sync_at=utcnow(), last_error="secret-a"))
    asker = UserFactory(full_name="Demandeuse secret-a")
    join = JoinRequest(structure_id=w.a.id, user_id=asker.id, state=JoinState.PENDING)
    db.session.add(join)
    db.session.add(Announcement(category=Category.NEWS, title="Bienvenue", published_at=utcnow()))
    tomorrow = utcnow() + dt.timedelta(days=1)
    db.session.add(Announcement(category=Category.NEWS, title="secret-a", published_at=tomorrow))
    db.session.commit()
    query = select(Announcement).where(Announcement.title == "Bienvenue")
    announcement = db.session.scalars(query).one()
    w.ids |= {"invoice": late.id, "portal_id": late.portal_id, "device": device.id}
    # The login behind the manager's bearer token (its own to end).
    token = w.headers["a_manager"]["Authorization"].removeprefix("Bearer ")
    w.ids["a_session"] = int(jwt.decode(token, options={"verify_signature": False})["sid"])
    w.ids |= {"notification": note.id, "delivery": dead.id, "announcement": announcement.id}
    w.ids["join_request"] = join.id


def _invitations(w: World) -> None:
    """A's pending invitation (to an address of its own), and B's to A's main manager."""

    def invite(structure: Structure, who: str, email: str) -> tuple[int, str]:
        invitation, token = invitations.invite(
            db.session, actor_id=w.ids[who], structure_id=structure.id, email=email,
            role=Role.USER, service_ids=[], lifetime=dt.timedelta(days=2), now=utcnow(),
        )  # fmt: skip
        return invitation.id, token

    w.ids["invitation"], _ = invite(w.a, "a_manager", "invitee-secret-a@exemple.fr")
    _, w.tokens["for_a_manager"] = invite(w.b, "b_manager", w.users["a_manager"].email)
    db.session.commit()


def _trainings(w: World) -> None:
    # Under way: its attendance can be noted (from the session's start).
    training = make_training(
        w.ids["trainer"],
        visio_url="https://visio.example/secret-a",
        starts_in=dt.timedelta(minutes=-30),
    )
    draft = make_training(w.ids["trainer"], state=SessionState.DRAFT, title="Brouillon secret-a")
    other = make_training(w.ids["other_trainer"])
    seat = Registration(
        training_id=training.id,
        email="secret-a@exemple.fr",
        full_name="Participante secret-a",
        structure_name="Structure A",
        state=RegistrationState.CONFIRMED,
        position=1,
        consent_at=utcnow() - dt.timedelta(days=1),
    )
    db.session.add(seat)
    db.session.commit()
    w.ids |= {"training": training.id, "draft": draft.id, "other_training": other.id}
    w.ids["registration"] = seat.id


@pytest.fixture
def world(app_ctx: Flask, ecb_rates: None) -> Iterator[World]:
    with portal_for(app_ctx, invoices=0) as portal:
        a = StructureFactory(name="Structure secret-a", siret=portal.supplier(0)["siret"])
        w = World(a, StructureFactory(), RecipientFactory(), portal=portal)
        w.ids |= {"a": w.a.id, "b": w.b.id, "town": w.town.id}
        users = _people(w)
        _keys(w)
        _a_rows(w, users["a_manager"])
        _invitations(w)
        _trainings(w)
        yield w


Rows = dict[str, list[tuple[str, int | None]]]


def rows() -> Rows:
    """Every row of every table but the limiter's, each with the user it belongs to."""
    db.session.commit()  # a fresh read, after the request's writes
    owners = dict(db.session.execute(select(AuthSession.id, AuthSession.user_id)).all())
    found: Rows = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in VOLATILE:
            # A user's own row (their password, their address) is theirs, as their sessions are.
            own = "id" if table.name == "users" else "user_id"
            found[table.name] = sorted(
                (repr(sorted(row.items())), owners.get(row.get("session_id"), row.get(own)))
                for row in db.session.execute(select(table)).mappings()
            )
    return found


def others(found: Rows, user_id: int | None) -> dict[str, list[str]]:
    """The rows that do not belong to `user_id`: an outsider may change their own."""
    return {t: [r for r, owner in found[t] if owner is None or owner != user_id] for t in found}


def snapshot(except_user: int | None) -> dict[str, list[str]]:
    return others(rows(), except_user)
