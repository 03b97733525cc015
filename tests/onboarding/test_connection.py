"""A structure's portal connection: a new password proven again, disconnection, reminders."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.models import Role, Structure, User
from backend.db import current_session, db, utcnow
from backend.invoices.models import Invoice
from backend.mail import SmtpMailer
from backend.push.models import Notification
from backend.sync import crypto
from backend.sync.jobs import warn_expiring_passwords
from backend.sync.models import PortalAccount, SyncRun, SyncState
from backend.sync.reminders import ExpiryMail
from backend.sync.service import due_structures, sync_structure
from backend.timeutil import paris_today
from tests.factories import MembershipFactory, UserFactory
from tests.mail.smtp import Inbox, text_part
from tests.onboarding.conftest import Portal, bearer

URL = "/api/v1/structures"


def _added(client: FlaskClient, app: Flask, portal: Portal, index: int = 0) -> tuple[User, int]:
    founder = UserFactory(email="anne@exemple.fr")
    body = portal.body(portal.supplier(index))
    response = client.post(URL, json=body, headers=bearer(app, founder))
    assert response.status_code == 201
    return founder, response.get_json()["structure"]["id"]


def test_a_renewed_password_is_proven_then_stored_and_the_sync_resumes(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    founder, structure_id = _added(client, app, portal)
    account = portal.supplier(0)
    sync_structure(current_session(), structure_id, config=portal.config)
    # Renewed on the portal: the sync stops working with the old password.
    portal.sandbox.set_password(account["login"], "Nouveau-Secret-2027!", dt.date(2027, 6, 30))
    run = sync_structure(current_session(), structure_id, config=portal.config, force=True)
    assert run is not None and run.status == "failed"
    progress = client.get(f"{URL}/{structure_id}/sync", headers=bearer(app, founder)).get_json()
    assert progress["state"] == "failing" and "refuse le compte technique" in progress["last_error"]

    path = f"{URL}/{structure_id}/connection"
    stale = {"login": account["login"], "password": account["password"]}
    response = client.put(path, json=stale, headers=bearer(app, founder))
    assert response.status_code == 422  # proven again: the old password no longer opens it
    fresh = {"login": account["login"], "password": "Nouveau-Secret-2027!",
             "password_expires_on": "2027-06-30"}  # fmt: skip
    response = client.put(path, json=fresh, headers=bearer(app, founder))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["password_expires_on"] == "2027-06-30" and answer["login"] == account["login"]
    assert "Nouveau-Secret" not in response.get_data(as_text=True)
    db.session.commit()
    stored = db.session.get(PortalAccount, structure_id)
    assert stored is not None
    assert crypto.decrypt(portal.config.credentials_key, stored.password_encrypted) == (
        "Nouveau-Secret-2027!"
    )
    assert due_structures(db.session, utcnow(), 10) == [structure_id]  # resumes at once
    run = sync_structure(current_session(), structure_id, config=portal.config)
    assert run is not None and run.status == "ok"


def test_only_main_managers_change_or_remove_the_connection(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    _, structure_id = _added(client, app, portal)
    structure = db.session.get(Structure, structure_id)
    manager, member = UserFactory(), UserFactory()
    MembershipFactory(user=manager, structure=structure, role=Role.MANAGER)
    MembershipFactory(user=member, structure=structure, role=Role.USER)
    account = portal.supplier(0)
    body = {"login": account["login"], "password": account["password"]}
    path = f"{URL}/{structure_id}/connection"
    for who, status in ((manager, 403), (member, 403), (UserFactory(), 404)):
        headers = bearer(app, who)
        assert client.put(path, json=body, headers=headers).status_code == status
        assert client.delete(path, headers=headers).status_code == status
    assert portal.sandbox.calls["/cpro/structures/v1/consulter"] == 1  # outsiders: no proof
    assert db.session.get(PortalAccount, structure_id) is not None


def test_disconnecting_forgets_the_account_and_stops_the_sync_but_keeps_the_invoices(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    founder, structure_id = _added(client, app, portal)
    sync_structure(current_session(), structure_id, config=portal.config)
    invoices = db.session.scalar(select(func.count()).select_from(Invoice))
    assert invoices

    response = client.delete(f"{URL}/{structure_id}/connection", headers=bearer(app, founder))
    assert response.status_code == 204
    db.session.commit()
    assert db.session.get(PortalAccount, structure_id) is None
    assert db.session.get(SyncState, structure_id) is None
    assert due_structures(db.session, utcnow() + dt.timedelta(days=1), 10) == []
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == invoices
    assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 1  # history kept
    progress = client.get(f"{URL}/{structure_id}/sync", headers=bearer(app, founder)).get_json()
    assert progress["state"] == "not_configured" and progress["technical_account"] is None
    assert progress["invoices_stored"] == invoices
    listed = client.get(
        f"/api/v1/invoices?structure_id={structure_id}", headers=bearer(app, founder)
    )
    assert listed.get_json()["total"] == invoices

    # Connected again later by its main manager: proven like the first time.
    account = portal.supplier(0)
    body = {"login": account["login"], "password": account["password"]}
    again = client.put(f"{URL}/{structure_id}/connection", json=body, headers=bearer(app, founder))
    assert again.status_code == 200
    assert due_structures(db.session, utcnow(), 10) == [structure_id]


def test_expiry_reminders_mail_main_managers_where_to_change_the_password(
    client: FlaskClient, app: Flask, portal: Portal, inbox: Inbox, smtp_server: object
) -> None:
    founder, structure_id = _added(client, app, portal)
    deputy = UserFactory(email="deputy@exemple.fr")
    MembershipFactory(user=deputy, structure=db.session.get(Structure, structure_id),
                      role=Role.MANAGER)  # fmt: skip
    account = db.session.get(PortalAccount, structure_id)
    assert account is not None
    now = dt.datetime.now(dt.UTC)
    account.password_expires_on = paris_today(now) + dt.timedelta(days=12)
    db.session.commit()

    mailer = app.extensions["relais_mailer"]
    assert isinstance(mailer, SmtpMailer)
    mail = ExpiryMail(mailer, "Relais <relais@exemple.fr>", "https://relais.exemple.fr/")
    warn_expiring_passwords(current_session(), now, mail)
    current_session().commit()

    [letter] = inbox.to("anne@exemple.fr")
    assert "à renouveler" in str(letter["Subject"])
    text = text_part(letter)
    assert "expire dans 12 jours." in text
    assert "https://relais.exemple.fr/app/#/compte" in text  # where the password is entered
    assert (
        "https://relais.exemple.fr/application/connexion-au-portail/#renouveler-le-mot-de-passe"
        in text
    )
    assert inbox.to("deputy@exemple.fr") == []  # managers get the push, not the e-mail
    notes = db.session.scalars(select(Notification)).all()
    assert {n.user_id for n in notes} == {founder.id, deputy.id}
    assert all("connexion de la structure au portail" in n.body for n in notes)
