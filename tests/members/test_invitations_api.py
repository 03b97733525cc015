"""Invitations over HTTP: sent by a main manager, e-mailed, accepted with a new account or an
existing one, once; expired, revoked and replayed links refused in French."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import Membership, Role, User
from backend.db import db
from backend.members import invitations
from backend.members.letters import INVITATION_PAGE
from tests.factories import ServiceFactory, at, make_invoice
from tests.helpers import login
from tests.mail.smtp import Inbox, text_part
from tests.members.conftest import STRONG, Clock, Team, bearer, token_in

V1 = "/api/v1"


def _invite(client: FlaskClient, app: Flask, team: Team, email: str, **body: Any) -> dict[str, Any]:
    url = f"{V1}/structures/{team.structure.id}/invitations"
    response = client.post(url, json={"email": email, **body}, headers=bearer(app, team.main))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _token(inbox: Inbox, email: str) -> str:
    return token_in(inbox.to(email)[-1], INVITATION_PAGE)


def _roles(team: Team) -> dict[str, Role]:
    db.session.commit()
    rows = db.session.execute(
        select(User.email, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.structure_id == team.structure.id)
    )
    return {email: role for email, role in rows}


def test_a_newcomer_signs_up_from_the_invitation_and_sees_the_structure(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox, clock: Clock
) -> None:
    roads = ServiceFactory(name="Service des routes")
    make_invoice(team.structure, roads.recipient, [("DEPOSEE", at(1))], service_code=roads.code)
    invited = _invite(
        client, app, team, "Emma.Nouvelle@Exemple.fr", role="manager", service_ids=[roads.id]
    )
    assert invited["email"] == "emma.nouvelle@exemple.fr"
    assert invited["role_label"] == "Gestionnaire" and invited["invited_by"] == "Anne Principale"
    assert [s["name"] for s in invited["services"]] == ["Service des routes"]

    [mail] = inbox.to("emma.nouvelle@exemple.fr")
    assert str(mail["Subject"]) == "Invitation à rejoindre Menuiserie Martin dans Relais"
    text = text_part(mail)
    assert "Anne Principale vous invite à rejoindre Menuiserie Martin" in text
    assert "« gestionnaire »" in text and "Service des routes" in text
    token = _token(inbox, "emma.nouvelle@exemple.fr")

    preview = client.post(f"{V1}/invitations/preview", json={"token": token})
    assert preview.status_code == 200
    assert preview.get_json()["account_exists"] is False
    assert preview.get_json()["structure"]["name"] == "Menuiserie Martin"

    weak = client.post(
        f"{V1}/invitations/sign-up",
        json={"token": token, "full_name": "Emma Nouvelle", "password": "motdepasse"},
    )
    assert weak.status_code == 422
    [param] = weak.get_json()["invalid_params"]
    assert param["name"] == "password" and "Mot de passe trop faible" in param["reason"]

    joined = client.post(
        f"{V1}/invitations/sign-up",
        json={"token": token, "full_name": "Emma Nouvelle", "password": STRONG},
    )
    assert joined.status_code == 201, joined.get_json()
    assert joined.get_json()["role"] == "manager"
    assert "Menuiserie Martin" in joined.get_json()["message"]
    # No confirmation e-mail: the link proved the address; the account logs in at once.
    assert len(inbox.to("emma.nouvelle@exemple.fr")) == 1
    pair = login(client, "emma.nouvelle@exemple.fr", STRONG)
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    [membership] = client.get(f"{V1}/me", headers=headers).get_json()["structures"]
    assert membership["role"] == "manager"
    assert [s["name"] for s in membership["services"]] == ["Service des routes"]

    # Replayed: refused, clearly; nothing more is created.
    again = client.post(
        f"{V1}/invitations/sign-up",
        json={"token": token, "full_name": "Emma Bis", "password": STRONG},
    )
    assert again.status_code == 409
    assert again.get_json()["type"] == "urn:relais:problem:invitation-used"
    assert "déjà été acceptée" in again.get_json()["detail"]
    pending = client.get(
        f"{V1}/structures/{team.structure.id}/invitations", headers=bearer(app, team.main)
    )
    assert pending.get_json()["items"] == []


def test_an_existing_account_accepts_once_logged_in_as_the_invited_address(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox, clock: Clock
) -> None:
    _invite(client, app, team, team.other_main.email)  # role: user by default
    token = _token(inbox, team.other_main.email)
    preview = client.post(f"{V1}/invitations/preview", json={"token": token}).get_json()
    assert preview["account_exists"] is True and preview["role"] == "user"

    no_sign_up = client.post(
        f"{V1}/invitations/sign-up", json={"token": token, "full_name": "X", "password": STRONG}
    )
    assert no_sign_up.status_code == 409
    assert no_sign_up.get_json()["type"] == "urn:relais:problem:account-exists"

    wrong = client.post(
        f"{V1}/invitations/accept", json={"token": token}, headers=bearer(app, team.user)
    )
    assert wrong.status_code == 403
    assert team.other_main.email in wrong.get_json()["detail"]

    right = client.post(
        f"{V1}/invitations/accept", json={"token": token}, headers=bearer(app, team.other_main)
    )
    assert right.status_code == 200, right.get_json()
    assert _roles(team)[team.other_main.email] == Role.USER
    replay = client.post(
        f"{V1}/invitations/accept", json={"token": token}, headers=bearer(app, team.other_main)
    )
    assert replay.status_code == 409


def test_expired_revoked_and_unknown_links_are_refused_in_french(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox, clock: Clock
) -> None:
    first = _invite(client, app, team, "late@exemple.fr")
    old_token = _token(inbox, "late@exemple.fr")
    # Invited again: the first link no longer works, the second does.
    second = _invite(client, app, team, "late@exemple.fr")
    token = _token(inbox, "late@exemple.fr")
    assert token != old_token
    revoked = client.post(f"{V1}/invitations/preview", json={"token": old_token})
    assert revoked.status_code == 400
    assert revoked.get_json()["type"] == "urn:relais:problem:invitation-revoked"
    assert "annulée" in revoked.get_json()["detail"]

    clock.advance(hours=168, seconds=1)  # INVITATION_HOURS
    expired = client.post(f"{V1}/invitations/preview", json={"token": token})
    assert expired.status_code == 400
    assert expired.get_json()["type"] == "urn:relais:problem:invitation-expired"
    assert "a expiré" in expired.get_json()["detail"]

    unknown = client.post(f"{V1}/invitations/preview", json={"token": "x" * 43})
    assert unknown.status_code == 400 and "pas valide" in unknown.get_json()["detail"]
    assert first["id"] != second["id"]


def test_a_main_manager_lists_and_revokes_pending_invitations(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox, clock: Clock
) -> None:
    invited = _invite(client, app, team, "revoque@exemple.fr", role="main_manager")
    url = f"{V1}/structures/{team.structure.id}/invitations"
    [listed] = client.get(url, headers=bearer(app, team.main)).get_json()["items"]
    assert listed["id"] == invited["id"] and listed["role_label"] == "Gestionnaire principal"

    gone = client.delete(f"{url}/{invited['id']}", headers=bearer(app, team.main))
    assert gone.status_code == 204
    assert client.get(url, headers=bearer(app, team.main)).get_json()["items"] == []
    assert (
        client.delete(f"{url}/{invited['id']}", headers=bearer(app, team.main)).status_code == 404
    )
    token = _token(inbox, "revoque@exemple.fr")
    refused = client.post(
        f"{V1}/invitations/sign-up", json={"token": token, "full_name": "R", "password": STRONG}
    )
    assert refused.status_code == 400
    assert refused.get_json()["type"] == "urn:relais:problem:invitation-revoked"


def test_inviting_a_member_or_foreign_services_is_refused(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    url = f"{V1}/structures/{team.structure.id}/invitations"
    member = client.post(url, json={"email": "Chloe@exemple.fr"}, headers=bearer(app, team.main))
    assert member.status_code == 409 and "déjà membre" in member.get_json()["detail"]
    foreign = ServiceFactory()
    services = client.post(
        url, json={"email": "x@exemple.fr", "service_ids": [foreign.id]},
        headers=bearer(app, team.main),
    )  # fmt: skip
    assert services.status_code == 422
    assert services.get_json()["type"] == "urn:relais:problem:unknown-services"
    assert inbox.to("x@exemple.fr") == []


def test_only_main_managers_invite(client: FlaskClient, app: Flask, team: Team) -> None:
    url = f"{V1}/structures/{team.structure.id}/invitations"
    for who in (team.manager, team.user):
        refused = client.post(url, json={"email": "y@exemple.fr"}, headers=bearer(app, who))
        assert refused.status_code == 403
        assert "ne permet pas d'inviter" in refused.get_json()["detail"]
        assert client.get(url, headers=bearer(app, who)).status_code == 403
    outsider = client.post(
        url, json={"email": "y@exemple.fr"}, headers=bearer(app, team.other_main)
    )
    assert outsider.status_code == 404


def test_invitations_are_rate_limited(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    url = f"{V1}/structures/{team.structure.id}/invitations"
    headers = bearer(app, team.main)
    statuses = [
        client.post(url, json={"email": f"p{i}@exemple.fr"}, headers=headers).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [201] * 20 and statuses[20] == 429


def test_the_structure_erased_meanwhile_voids_its_invitations(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    _invite(client, app, team, "tard@exemple.fr")
    token = _token(inbox, "tard@exemple.fr")
    for who in (team.user, team.manager):
        assert (
            client.post(
                f"{V1}/structures/{team.structure.id}/leave", headers=bearer(app, who)
            ).status_code
            == 200
        )
    last = client.post(f"{V1}/structures/{team.structure.id}/leave", headers=bearer(app, team.main))
    assert last.get_json()["erased"] is True
    refused = client.post(
        f"{V1}/invitations/sign-up", json={"token": token, "full_name": "T", "password": STRONG}
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(User.id).where(User.email == "tard@exemple.fr")) is None


def test_an_address_is_forgotten_with_its_invitations(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    """For the erasure of an account: the invitations sent to its address go too."""
    _invite(client, app, team, "oubli@exemple.fr")
    _invite(client, app, team, "reste@exemple.fr")
    assert invitations.forget_address(db.session, "Oubli@Exemple.fr") == 1
    db.session.commit()
    url = f"{V1}/structures/{team.structure.id}/invitations"
    listed = client.get(url, headers=bearer(app, team.main)).get_json()["items"]
    assert [i["email"] for i in listed] == ["reste@exemple.fr"]
