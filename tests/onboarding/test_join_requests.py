"""A structure with members: proving its account files a join request; main managers answer."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import Membership, Role, Structure, User
from backend.db import db
from backend.onboarding.models import JoinRequest, JoinState
from backend.push.models import Delivery, Notification
from tests.factories import MembershipFactory, UserFactory
from tests.mail.smtp import Inbox, text_part
from tests.onboarding.conftest import Portal, bearer
from tests.push.conftest import add_device

URL = "/api/v1/structures"


def _founded(client: FlaskClient, app: Flask, portal: Portal) -> tuple[User, int]:
    """The first person adds supplier 0: its main manager."""
    founder = UserFactory(full_name="Anne Fondatrice", email="anne@exemple.fr")
    response = client.post(URL, json=portal.body(portal.supplier(0)), headers=bearer(app, founder))
    assert response.status_code == 201
    return founder, response.get_json()["structure"]["id"]


def _ask(client: FlaskClient, app: Flask, portal: Portal, who: User) -> dict[str, Any]:
    response = client.post(URL, json=portal.body(portal.supplier(0)), headers=bearer(app, who))
    assert response.status_code == 202, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _structure(structure_id: int) -> Structure:
    db.session.commit()
    found = db.session.get(Structure, structure_id)
    assert found is not None
    return found


def _notes(user: User) -> list[Notification]:
    db.session.commit()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_proving_the_account_of_a_structure_with_members_asks_its_main_managers(
    client: FlaskClient, app: Flask, portal: Portal, inbox: Inbox
) -> None:
    founder, structure_id = _founded(client, app, portal)
    deputy = UserFactory(email="deputy@exemple.fr")
    MembershipFactory(user=deputy, structure=_structure(structure_id), role=Role.MANAGER)
    phone = add_device(founder, token="tok-founder")
    asker = UserFactory(full_name="Bruno Demandeur", email="bruno@exemple.fr")

    answer = _ask(client, app, portal, asker)
    assert answer["outcome"] == "requested" and answer["role"] is None
    assert answer["structure"]["id"] == structure_id
    request = answer["join_request"]
    assert request["state"] == "pending"
    # Proving the credentials granted nothing by itself, and changed nothing stored.
    assert client.get(f"{URL}/{structure_id}/sync", headers=bearer(app, asker)).status_code == 404
    assert db.session.scalar(select(Membership).where(Membership.user_id == asker.id)) is None

    # The main manager is told in the inbox, on the phone and by e-mail; the deputy is not.
    [note] = _notes(founder)
    assert "Bruno Demandeur" in note.body and note.structure_id == structure_id
    assert db.session.scalar(select(Delivery).where(Delivery.device_id == phone.id)) is not None
    assert _notes(deputy) == []
    [mail] = inbox.to("anne@exemple.fr")
    assert "Demande d'accès" in str(mail["Subject"])
    text = text_part(mail)
    assert "Bruno Demandeur (bruno@exemple.fr)" in text
    assert "/application/connexion-au-portail/#demandes-d-acces" in text
    assert inbox.to("deputy@exemple.fr") == []

    # Asking again while it waits: the same request, nobody told twice.
    assert _ask(client, app, portal, asker)["join_request"]["id"] == request["id"]
    assert len(_notes(founder)) == 1 and len(inbox.to("anne@exemple.fr")) == 1

    listed = client.get(f"{URL}/{structure_id}/join-requests", headers=bearer(app, founder))
    assert listed.status_code == 200
    [item] = listed.get_json()["items"]
    assert item["id"] == request["id"]
    assert item["requester"] == {
        "id": asker.id,
        "full_name": "Bruno Demandeur",
        "email": "bruno@exemple.fr",
    }


def test_an_approved_requester_becomes_a_member_with_the_role_given(
    client: FlaskClient, app: Flask, portal: Portal, inbox: Inbox
) -> None:
    founder, structure_id = _founded(client, app, portal)
    asker = UserFactory(email="bruno@exemple.fr")
    request_id = _ask(client, app, portal, asker)["join_request"]["id"]

    path = f"{URL}/{structure_id}/join-requests/{request_id}"
    response = client.post(
        f"{path}/approve", json={"role": "manager"}, headers=bearer(app, founder)
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "approved"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == asker.id))
    assert membership is not None and membership.role == Role.MANAGER
    [note] = _notes(asker)
    assert "accordé" in note.title
    [mail] = inbox.to("bruno@exemple.fr")
    assert "Accès accordé" in str(mail["Subject"])
    # The new member sees the structure; the request is no longer pending.
    assert client.get(f"{URL}/{structure_id}/sync", headers=bearer(app, asker)).status_code == 200
    listed = client.get(f"{URL}/{structure_id}/join-requests", headers=bearer(app, founder))
    assert listed.get_json()["items"] == []
    again = client.post(f"{path}/refuse", headers=bearer(app, founder))
    assert again.status_code == 409 and "déjà été acceptée" in again.get_json()["detail"]


def test_a_refused_requester_is_told_and_may_ask_again(
    client: FlaskClient, app: Flask, portal: Portal, inbox: Inbox
) -> None:
    founder, structure_id = _founded(client, app, portal)
    asker = UserFactory(email="bruno@exemple.fr")
    request_id = _ask(client, app, portal, asker)["join_request"]["id"]

    path = f"{URL}/{structure_id}/join-requests/{request_id}"
    response = client.post(f"{path}/refuse", headers=bearer(app, founder))
    assert response.status_code == 200 and response.get_json()["state"] == "refused"
    assert db.session.scalar(select(Membership).where(Membership.user_id == asker.id)) is None
    [note] = _notes(asker)
    assert "refusé" in note.title and note.structure_id is None
    [mail] = inbox.to("bruno@exemple.fr")
    assert "refusée" in str(mail["Subject"])

    # A new proof files the same request again, and the main managers hear of it again.
    again = _ask(client, app, portal, asker)["join_request"]
    assert again["id"] == request_id and again["state"] == "pending"
    assert len(inbox.to(founder.email)) == 2
    db.session.commit()
    assert len(db.session.scalars(select(JoinRequest)).all()) == 1


def test_only_main_managers_answer_requests(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    founder, structure_id = _founded(client, app, portal)
    asker = UserFactory()
    request_id = _ask(client, app, portal, asker)["join_request"]["id"]
    manager, member, outsider = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=manager, structure=_structure(structure_id), role=Role.MANAGER)
    MembershipFactory(user=member, structure=_structure(structure_id), role=Role.USER)
    path = f"{URL}/{structure_id}/join-requests"
    for who, status in ((manager, 403), (member, 403), (outsider, 404), (asker, 404)):
        headers = bearer(app, who)
        assert client.get(path, headers=headers).status_code == status
        assert client.post(f"{path}/{request_id}/approve", headers=headers).status_code == status
        assert client.post(f"{path}/{request_id}/refuse", headers=headers).status_code == status
    db.session.commit()
    request = db.session.get(JoinRequest, request_id)
    assert request is not None and request.state == JoinState.PENDING
    # Another structure's request id is not found through this structure.
    assert (
        client.post(f"{path}/{request_id + 1}/approve", headers=bearer(app, founder)).status_code
        == 404
    )


def test_an_unknown_role_is_refused(client: FlaskClient, app: Flask, portal: Portal) -> None:
    founder, structure_id = _founded(client, app, portal)
    request_id = _ask(client, app, portal, UserFactory())["join_request"]["id"]
    response = client.post(
        f"{URL}/{structure_id}/join-requests/{request_id}/approve",
        json={"role": "admin"},
        headers=bearer(app, founder),
    )
    assert response.status_code == 422
    assert response.get_json()["invalid_params"][0]["name"] == "role"


def test_the_requester_sees_only_their_own_pending_requests(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    founder, structure_id = _founded(client, app, portal)
    asker = UserFactory(email="bruno@exemple.fr")
    other = UserFactory(email="chloe@exemple.fr")
    request_id = _ask(client, app, portal, asker)["join_request"]["id"]

    mine = client.get("/api/v1/me/join-requests", headers=bearer(app, asker)).get_json()
    [item] = mine["items"]
    assert item["id"] == request_id and item["state"] == "pending"
    assert item["structure"]["id"] == structure_id
    assert item["structure"]["name"] == _structure(structure_id).name
    # Nobody else sees it: not another person, nor the main manager (it is not theirs).
    for who in (other, founder):
        listed = client.get("/api/v1/me/join-requests", headers=bearer(app, who))
        assert listed.status_code == 200 and listed.get_json()["items"] == []
    assert client.get("/api/v1/me/join-requests").status_code == 401
    # Answered, it is no longer pending.
    path = f"{URL}/{structure_id}/join-requests/{request_id}/refuse"
    assert client.post(path, headers=bearer(app, founder)).status_code == 200
    mine = client.get("/api/v1/me/join-requests", headers=bearer(app, asker)).get_json()
    assert mine["items"] == []
