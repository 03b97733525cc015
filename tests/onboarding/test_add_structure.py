"""Adding a structure over HTTP: the technical account proven by the sandbox through the real
client, every way it fails, the first sync and its progress."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.models import Membership, Role, Structure
from backend.db import current_session, db, utcnow
from backend.invoices.models import Invoice
from backend.push.models import Notification
from backend.sync import crypto
from backend.sync.models import PortalAccount, SyncState
from backend.sync.service import due_structures, sync_structure
from tests.factories import StructureFactory, UserFactory
from tests.onboarding.conftest import Portal, bearer

URL = "/api/v1/structures"
PROBLEM = "urn:relais:problem:"


def _count(model: Any) -> int:
    db.session.commit()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _nothing_stored() -> None:
    for model in (Structure, Membership, PortalAccount, SyncState):
        assert _count(model) == 0, model


def test_adding_a_new_structure_makes_its_main_manager_and_syncs_at_once(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    user = UserFactory()
    account = portal.supplier(0)
    body = portal.body(account, password_expires_on=None)
    response = client.post(URL, json=body, headers=bearer(app, user))

    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["outcome"] == "created" and answer["role"] == "main_manager"
    assert answer["join_request"] is None
    assert answer["structure"]["name"] == account["name"]  # the portal's answer names it
    assert answer["structure"]["portal_structure_id"] == account["structure_id"]
    assert account["password"] not in response.get_data(as_text=True)
    structure = db.session.get(Structure, answer["structure"]["id"])
    assert structure is not None and structure.siret == account["siret"]
    assert structure.city  # the head office's address, from the structure consult
    [membership] = db.session.scalars(select(Membership)).all()
    assert (membership.user_id, membership.role) == (user.id, Role.MAIN_MANAGER)
    stored = db.session.get(PortalAccount, structure.id)
    assert stored is not None and stored.login == account["login"]
    assert account["password"].encode() not in stored.password_encrypted  # encrypted
    key = portal.config.credentials_key
    assert crypto.decrypt(key, stored.password_encrypted) == account["password"]
    # No expiry typed: the portal's date is kept.
    assert stored.password_expires_on.isoformat() == account["password_expires_on"]
    # The first sync is due now: the scheduler's next look (SYNC_POLL_SECONDS) starts it.
    assert due_structures(db.session, utcnow(), 10) == [structure.id]

    progress = client.get(f"{URL}/{structure.id}/sync", headers=bearer(app, user)).get_json()
    assert progress["state"] == "scheduled" and progress["invoices_stored"] == 0

    run = sync_structure(current_session(), structure.id, config=portal.config)
    assert run is not None and run.status == "ok"
    invoices = _count(Invoice)
    assert invoices == 10  # the sandbox's 30 invoices, shared by its three suppliers
    # The backfill is history: changes older than PUSH_MAX_AGE reach no phone, no inbox.
    assert _count(Notification) == 0

    progress = client.get(f"{URL}/{structure.id}/sync", headers=bearer(app, user)).get_json()
    assert progress["state"] == "ok" and progress["invoices_stored"] == invoices
    assert progress["last_success_at"] and progress["last_error"] is None
    assert progress["recent_runs"][0]["invoices_seen"] == invoices


def test_a_typed_expiry_date_wins_over_the_portals(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    body = portal.body(portal.supplier(1), password_expires_on="2027-03-01")
    response = client.post(URL, json=body, headers=bearer(app, UserFactory()))
    assert response.status_code == 201
    stored = db.session.get(PortalAccount, response.get_json()["structure"]["id"])
    assert stored is not None and stored.password_expires_on.isoformat() == "2027-03-01"


def _refused(client: FlaskClient, app: Flask, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(URL, json=body, headers=bearer(app, UserFactory()))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    _nothing_stored()
    return response.get_json()  # type: ignore[no-any-return]


def test_an_invalid_siret_is_refused_before_the_portal_is_called(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    body = portal.body(portal.supplier(0))
    siret = body["siret"]
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
    problem = _refused(client, app, body | {"siret": wrong})
    assert problem["invalid_params"][0]["name"] == "siret"
    assert "SIRET" in problem["detail"]
    assert not portal.sandbox.calls  # the portal was never asked


def test_a_wrong_password_is_refused_in_french(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    problem = _refused(client, app, portal.body(portal.supplier(0), password="pas-le-bon"))
    assert problem["type"] == PROBLEM + "technical-account-refused"
    assert "refuse le compte technique" in problem["detail"]


def test_an_expired_password_says_to_renew_it(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    problem = _refused(client, app, portal.body(portal.case("expired")))
    assert problem["type"] == PROBLEM + "technical-password-expired"
    assert "a expiré" in problem["detail"] and "Renouvelez" in problem["detail"]


def test_a_structure_not_connected_in_api_mode_says_how_to_connect_it(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    problem = _refused(client, app, portal.body(portal.case("not_connected")))
    assert problem["type"] == PROBLEM + "structure-not-connected"
    assert "Raccordements EDI/API" in problem["detail"]
    # Once connected on the portal, the same account works.
    portal.sandbox.set_api_mode(portal.case("not_connected")["siret"], True)
    response = client.post(
        URL, json=portal.body(portal.case("not_connected")), headers=bearer(app, UserFactory())
    )
    assert response.status_code == 201


def test_another_structures_account_does_not_open_this_one(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    other = portal.supplier(1)
    body = portal.body(portal.supplier(0)) | {
        "login": other["login"],
        "password": other["password"],
    }
    problem = _refused(client, app, body)
    assert problem["type"] == PROBLEM + "technical-account-of-another-structure"
    assert portal.supplier(0)["siret"] in problem["detail"]


def test_an_unavailable_portal_advises_when_to_retry(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    portal.sandbox.faults.rate_limit_next(5, 90)
    response = client.post(
        URL, json=portal.body(portal.supplier(0)), headers=bearer(app, UserFactory())
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "90"
    problem = response.get_json()
    assert problem["type"] == PROBLEM + "portal-unavailable"
    assert "rien n'a été enregistré" in problem["detail"]
    _nothing_stored()

    portal.sandbox.faults.reset()
    portal.sandbox.faults.fail_next(5, 503)
    response = client.post(
        URL, json=portal.body(portal.supplier(0)), headers=bearer(app, UserFactory())
    )
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    _nothing_stored()


def test_a_portal_that_is_down_altogether_is_unavailable(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    closed = dataclasses.replace(portal.config, portal_base_url="http://127.0.0.1:9")
    app.extensions["relais_config"] = closed  # the discard port: nobody listens
    response = client.post(
        URL, json=portal.body(portal.supplier(0)), headers=bearer(app, UserFactory())
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    _nothing_stored()


def test_proofs_are_rate_limited_per_siret_and_address(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    app.extensions["relais_config"] = dataclasses.replace(
        portal.config, portal_proof_rate_limit="2 per hour"
    )
    headers = bearer(app, UserFactory())
    body = portal.body(portal.supplier(0), password="mauvais")
    wrong_siret = body | {"siret": "12345678901234"}
    assert client.post(URL, json=wrong_siret, headers=headers).status_code == 422  # not counted
    for _ in range(2):
        assert client.post(URL, json=body, headers=headers).status_code == 422
    response = client.post(URL, json=portal.body(portal.supplier(0)), headers=headers)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "réessayez plus tard" in response.get_json()["detail"]
    _nothing_stored()


def test_a_memberless_structure_goes_to_whoever_proves_its_account(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    """A structure registered by `relais sync register`, or whose members all left."""
    account = portal.supplier(2)
    existing = StructureFactory(siret=account["siret"], name="Ancien nom")
    user = UserFactory()
    response = client.post(URL, json=portal.body(account), headers=bearer(app, user))
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["outcome"] == "joined" and answer["structure"]["id"] == existing.id
    db.session.refresh(existing)
    assert existing.name == account["name"]
    assert _count(Structure) == 1
    [membership] = db.session.scalars(select(Membership)).all()
    assert (membership.user_id, membership.role) == (user.id, Role.MAIN_MANAGER)


def test_a_member_adding_their_structure_again_is_told_so(
    client: FlaskClient, app: Flask, portal: Portal
) -> None:
    headers = bearer(app, UserFactory())
    body = portal.body(portal.supplier(0))
    assert client.post(URL, json=body, headers=headers).status_code == 201
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["type"] == PROBLEM + "already-member"
    assert (_count(Structure), _count(Membership), _count(PortalAccount)) == (1, 1, 1)


def test_adding_a_structure_needs_a_login(client: FlaskClient, portal: Portal) -> None:
    response = client.post(URL, json=portal.body(portal.supplier(0)))
    assert response.status_code == 401
    _nothing_stored()
