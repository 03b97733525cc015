"""`DELETE /api/v1/me`: the person proves it is them (password, 2FA code), their personal data
goes, the structures' data stays for the other members; the last main manager hands over
first; the last member takes their structure along. Over HTTP, e-mails read from a real SMTP
server."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.emailed import AccountLink
from backend.accounts.models import (
    AuthSession,
    Membership,
    RecoveryCode,
    RefreshToken,
    Role,
    Structure,
    TwoFactor,
    User,
)
from backend.accounts.service import start_session
from backend.announcements.models import NewsletterSubscription
from backend.db import db, utcnow
from backend.invoices.models import Invoice
from backend.members.invitations import invite
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest
from backend.push.models import (
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from backend.trainings.models import Registration, RegistrationState, TrainingSession
from tests.accounts.conftest import Clock
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import login
from tests.mail.smtp import Inbox, text_part
from tests.privacy.conftest import (
    EXPORT,
    ME,
    bearer,
    code,
    fill,
    invitation_to,
    register,
    sign_up_link,
)
from tests.trainings.conftest import make_training

HANDOVER = "urn:relais:problem:handover-needed"


@pytest.fixture
def training(app_ctx: Flask) -> TrainingSession:
    return make_training(UserFactory(is_trainer=True).id, capacity=1)


def _delete(client: FlaskClient, headers: dict[str, str], **body: Any) -> Any:
    return client.delete(ME, json={"password": PASSWORD, **body}, headers=headers)


def _count(model: Any, *where: Any) -> int:
    db.session.commit()
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _invoices(structure_id: int) -> int:
    return _count(Invoice, Invoice.structure_id == structure_id)


def _with_invoices(structure: Structure) -> None:
    town = RecipientFactory()
    for day in (3, 4):
        make_invoice(structure, town, [("DEPOSEE", at(day)), ("MISE_A_DISPOSITION", at(day + 1))])


def test_wrong_password_or_code_deletes_nothing(
    client: FlaskClient, clock: Clock, inbox: Inbox, training: TrainingSession
) -> None:
    ines = fill(client, clock, UserFactory(), "ines", training)
    inbox.clear()
    wrong = _delete(client, ines.headers, password="pas le bon", code=code(ines, clock))
    assert wrong.status_code == 422
    assert wrong.mimetype == "application/problem+json"
    assert wrong.get_json()["invalid_params"][0]["name"] == "password"
    missing = _delete(client, ines.headers)
    assert missing.status_code == 401
    assert missing.get_json()["type"] == "urn:relais:problem:two-factor-required"
    bad = _delete(client, ines.headers, code="000000")
    assert bad.status_code == 401
    assert bad.get_json()["type"] == "urn:relais:problem:two-factor-invalid"
    assert "code" in bad.get_json()["detail"].lower()
    assert _count(User, User.id == ines.user.id) == 1
    assert client.get(EXPORT, headers=ines.headers).status_code == 200
    assert inbox.messages == []


def test_wrong_codes_lock_deletion_as_they_lock_login(
    client: FlaskClient, clock: Clock, inbox: Inbox, training: TrainingSession
) -> None:
    ines = fill(client, clock, UserFactory(), "ines", training)
    statuses = [_delete(client, ines.headers, code="000000").status_code for _ in range(5)]
    assert statuses == [401] * 4 + [429]
    # Locked: even the right code waits, at deletion and at login alike.
    locked = _delete(client, ines.headers, code=code(ines, clock))
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert locked.get_json()["type"] == "urn:relais:problem:two-factor-locked"
    body = {"email": ines.user.email, "password": PASSWORD, "otp": code(ines, clock)}
    assert client.post("/api/v1/auth/login", json=body).status_code == 429
    assert _count(User, User.id == ines.user.id) == 1


def test_the_deletion_erases_every_table_of_the_person_and_nothing_of_others(
    client: FlaskClient, clock: Clock, inbox: Inbox, training: TrainingSession
) -> None:
    ines = fill(client, clock, UserFactory(full_name="Inès Morel"), "ines", training)
    paul = fill(client, clock, UserFactory(), "paul", training)
    sign_up_link(ines.user.email)
    elsewhere = StructureFactory(name="Ailleurs")
    invitation_to(ines.user.email, elsewhere, accepted_at=utcnow())  # history, names her
    invitation_to(ines.user.email, elsewhere, revoked_at=utcnow())
    before = client.get(EXPORT, headers=paul.headers).get_json()
    user_id, email = ines.user.id, ines.user.email
    inbox.clear()

    response = _delete(client, ines.headers, code=code(ines, clock))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # Ines was the only member of her two structures: they go with her.
    assert body["structures_left"] == []
    assert body["structures_erased"] == ["Autre structure ines", "Structure ines"]

    by_user = {
        AuthSession: AuthSession.user_id,
        TwoFactor: TwoFactor.user_id,
        RecoveryCode: RecoveryCode.user_id,
        Device: Device.user_id,
        Notification: Notification.user_id,
        NotificationSettings: NotificationSettings.user_id,
        NotificationPreference: NotificationPreference.user_id,
        JoinRequest: JoinRequest.user_id,
        Membership: Membership.user_id,
        AccountLink: AccountLink.user_id,
    }
    assert {m.__name__: _count(m, column == user_id) for m, column in by_user.items()} == {
        m.__name__: 0 for m in by_user
    }
    assert _count(User, User.id == user_id) == 0
    assert _count(RefreshToken) == _count(RefreshToken, RefreshToken.session.has())
    assert _count(AccountLink, AccountLink.email == email) == 0
    assert _count(NewsletterSubscription, NewsletterSubscription.email == email) == 0
    assert _count(Registration, Registration.email == email) == 0
    [registration] = db.session.scalars(
        select(Registration).where(
            Registration.full_name == "", Registration.cancelled_at.isnot(None)
        )
    ).all()
    assert registration.anonymised_at is not None and registration.structure_name == ""
    mine = ("Structure ines", "Autre structure ines")
    assert _count(Structure, Structure.name.in_(mine)) == 0
    assert _count(Structure, Structure.name == "Structure demandée ines") == 1  # not hers
    assert _count(Delivery) == _count(Delivery, Delivery.device.has())
    assert _count(Invitation, Invitation.email == email) == 0  # pending, accepted, revoked

    # Paul's data is as it was, his sign-up to the same session included.
    after = client.get(EXPORT, headers=paul.headers).get_json()
    assert after.pop("generated_at") and before.pop("generated_at")
    assert after == before

    [letter] = inbox.to(email)
    assert letter["Subject"] == "Votre compte Relais a été supprimé"
    text = text_part(letter)
    assert "Bonjour Inès Morel," in text
    assert "« Autre structure ines », « Structure ines »" in text
    assert "inscriptions aux formations" in text and "lettre d'information" in text


def test_old_tokens_stop_working_at_once(
    client: FlaskClient, clock: Clock, inbox: Inbox, app_ctx: Flask
) -> None:
    email = UserFactory().email
    here, elsewhere = login(client, email), login(client, email)
    assert _delete(client, bearer(here)).status_code == 200
    for pair in (here, elsewhere):
        assert client.get(ME, headers=bearer(pair)).status_code == 401
        assert client.get(EXPORT, headers=bearer(pair)).status_code == 401
        refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401
    again = _delete(client, bearer(elsewhere))
    assert again.status_code == 401
    login_again = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login_again.status_code == 401


def test_the_only_main_manager_hands_over_first(
    client: FlaskClient, inbox: Inbox, app_ctx: Flask
) -> None:
    boss = UserFactory()
    kept = StructureFactory(name="Menuiserie Garnier")
    alone = StructureFactory(name="Atelier Morel")
    MembershipFactory(user=boss, structure=kept, role=Role.MAIN_MANAGER)
    MembershipFactory(structure=kept, role=Role.MANAGER)
    MembershipFactory(user=boss, structure=alone, role=Role.MAIN_MANAGER)
    _with_invoices(alone)
    headers = bearer(login(client, boss.email))

    refused = _delete(client, headers)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["type"] == HANDOVER
    assert "« Menuiserie Garnier »" in problem["detail"]
    assert "Atelier Morel" not in problem["detail"]  # she may leave that one
    assert "gestionnaire principal" in problem["detail"]
    # Nothing moved: not even the structure she was alone in.
    assert _count(Membership, Membership.user_id == boss.id) == 2
    assert _invoices(alone.id) == 2
    assert client.get(ME, headers=headers).status_code == 200
    assert inbox.messages == []


def test_other_members_keep_the_structure_and_its_invoices(
    client: FlaskClient, inbox: Inbox, app_ctx: Flask
) -> None:
    structure = StructureFactory(name="Menuiserie Garnier")
    _with_invoices(structure)
    leaving, staying = UserFactory(), UserFactory()
    MembershipFactory(user=leaving, structure=structure, role=Role.MAIN_MANAGER)
    MembershipFactory(user=staying, structure=structure, role=Role.MAIN_MANAGER)
    sent, _ = invite(
        db.session, actor_id=leaving.id, structure_id=structure.id, email="lea@example.fr",
        role=Role.USER, service_ids=[], lifetime=dt.timedelta(days=7), now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    structure_id, email, sent_id = structure.id, leaving.email, sent.id
    response = _delete(client, bearer(login(client, email)))
    assert response.status_code == 200
    assert response.get_json()["structures_left"] == ["Menuiserie Garnier"]
    assert response.get_json()["structures_erased"] == []
    assert _invoices(structure_id) == 2
    seen = client.get("/api/v1/invoices", headers=bearer(login(client, staying.email)))
    assert seen.get_json()["total"] == 2
    [letter] = inbox.to(email)
    assert "restent consultables par ses autres membres" in text_part(letter)
    # The invitation she sent still works for the structure, without her name on it.
    invitation = db.session.get(Invitation, sent_id)
    assert invitation is not None and invitation.invited_by_id is None
    assert invitation.email == "lea@example.fr" and invitation.revoked_at is None


def test_the_last_member_takes_the_structure_along(
    client: FlaskClient, inbox: Inbox, app_ctx: Flask
) -> None:
    structure = StructureFactory(name="Atelier Morel")
    _with_invoices(structure)
    user = UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.USER)
    structure_id = structure.id
    response = _delete(client, bearer(login(client, user.email)))
    assert response.status_code == 200
    assert response.get_json()["structures_erased"] == ["Atelier Morel"]
    assert _count(Structure, Structure.id == structure_id) == 0
    assert _invoices(structure_id) == 0


def test_a_freed_training_seat_goes_to_the_waiting_list(
    client: FlaskClient, inbox: Inbox, training: TrainingSession
) -> None:
    user = UserFactory()
    register(training, user.email, "ines")
    waiting = register(training, "lea@example.fr", "lea", state=RegistrationState.WAITING)
    assert _delete(client, bearer(login(client, user.email))).status_code == 200
    db.session.expire_all()
    assert db.session.get(Registration, waiting.id).state == RegistrationState.CONFIRMED  # type: ignore[union-attr]
    assert len(inbox.to("lea@example.fr")) == 1


def test_demo_accounts_and_trainers_with_sessions_stay(
    client: FlaskClient, app: Flask, inbox: Inbox, app_ctx: Flask
) -> None:
    demo = UserFactory(is_demo=True)  # a session opened as demo mode would
    pair = start_session(db.session, demo, config=app.extensions["relais_config"])
    db.session.commit()
    refused = _delete(client, bearer(asdict(pair)))
    assert refused.status_code == 403
    assert "démonstration" in refused.get_json()["detail"]

    trainer = UserFactory(is_trainer=True)
    make_training(trainer.id)
    refused = _delete(client, bearer(login(client, trainer.email)))
    assert refused.status_code == 409
    assert refused.get_json()["type"] == "urn:relais:problem:trainer-sessions"
    assert "administrateur" in refused.get_json()["detail"]
    assert _count(User, User.id.in_([demo.id, trainer.id])) == 2
    assert inbox.messages == []


def test_the_same_deletion_twice_at_once_deletes_once(
    app: Flask, client: FlaskClient, inbox: Inbox, app_ctx: Flask
) -> None:
    structure = StructureFactory()
    user = UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
    user_id, email, structure_id = user.id, user.email, structure.id
    headers = bearer(login(client, email))
    db.session.commit()  # the test's own transaction ends: the threads write
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def send() -> None:
        other = FlaskClient(app)  # each request gets an app context of its own
        barrier.wait()
        answers.append(_delete(other, headers).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 401]
    assert len(inbox.to(email)) == 1
    assert _count(User, User.id == user_id) == 0
    assert _count(Structure, Structure.id == structure_id) == 0


def test_deletion_attempts_are_rate_limited(client: FlaskClient, app_ctx: Flask) -> None:
    headers = bearer(login(client, UserFactory().email))
    statuses = [_delete(client, headers, password="non").status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]


@pytest.mark.postgres_only
def test_another_workers_cache_hears_of_the_deletion(
    app: Flask, client: FlaskClient, inbox: Inbox, tmp_path: Path, app_ctx: Flask
) -> None:
    """Another worker answers reads from its cache: the deleted account's token is refused
    there too as soon as the deletion is committed (NOTIFY on the deleted rows)."""
    from tests.accounts.test_sessions import _eventually
    from tests.conftest import sibling_app

    user = UserFactory()
    pair = login(client, user.email)
    with sibling_app(app, tmp_path, auth_cache=True) as worker:
        other = worker.test_client()
        assert other.get(ME, headers=bearer(pair)).status_code == 200
        assert _delete(client, bearer(pair)).status_code == 200
        assert _eventually(lambda: other.get(ME, headers=bearer(pair)).status_code == 401)
