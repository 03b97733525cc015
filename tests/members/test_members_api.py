"""Members over HTTP: who sees the list, a role or services changed (and the member told),
removal, leaving; a change takes effect on the member's very next request."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from backend.accounts.models import Structure
from backend.db import db
from tests.factories import RecipientFactory, ServiceFactory, at, make_invoice
from tests.mail.smtp import Inbox, text_part
from tests.members.conftest import Team, bearer

V1 = "/api/v1"


def _members(team: Team) -> str:
    return f"{V1}/structures/{team.structure.id}/members"


def test_managers_see_the_members_users_do_not(client: FlaskClient, app: Flask, team: Team) -> None:
    listed = client.get(_members(team), headers=bearer(app, team.manager))
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(m["full_name"], m["role_label"]) for m in items] == [
        ("Anne Principale", "Gestionnaire principal"),
        ("Bruno Gestion", "Gestionnaire"),
        ("Chloé Simple", "Utilisateur simple"),
    ]
    assert all(m["services"] == [] for m in items)
    refused = client.get(_members(team), headers=bearer(app, team.user))
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == (
        "Votre rôle dans la structure (utilisateur simple) ne permet pas de voir les membres de "
        "la structure et leurs rôles."
    )
    assert client.get(_members(team), headers=bearer(app, team.other_main)).status_code == 404


def test_a_role_change_is_told_and_takes_effect_at_once(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    chloe = bearer(app, team.user)
    sync = f"{V1}/structures/{team.structure.id}/sync"
    assert client.get(sync, headers=chloe).status_code == 403
    changed = client.patch(
        f"{_members(team)}/{team.user.id}", json={"role": "manager"}, headers=bearer(app, team.main)
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["role"] == "manager"
    # The same login, its very next request: the new role applies.
    assert client.get(f"{V1}/me", headers=chloe).get_json()["structures"][0]["role"] == "manager"
    assert client.get(sync, headers=chloe).status_code == 200
    [mail] = inbox.to("chloe@exemple.fr")
    assert str(mail["Subject"]) == "Votre rôle dans Menuiserie Martin a changé"
    assert "vous passez de « utilisateur simple » à « gestionnaire »" in text_part(mail)


def test_services_restrict_what_the_member_sees(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    roads, schools = ServiceFactory(name="Routes"), ServiceFactory(name="Écoles")
    for service in (roads, schools):
        make_invoice(
            team.structure, service.recipient, [("DEPOSEE", at(1))], service_code=service.code
        )
    make_invoice(team.structure, RecipientFactory(), [("DEPOSEE", at(1))])
    chloe = bearer(app, team.user)
    assert client.get(f"{V1}/invoices", headers=chloe).get_json()["total"] == 3
    services = client.get(
        f"{V1}/structures/{team.structure.id}/services", headers=bearer(app, team.main)
    ).get_json()["items"]
    assert sorted(s["name"] for s in services) == ["Routes", "Écoles"]

    changed = client.patch(
        f"{_members(team)}/{team.user.id}", json={"service_ids": [roads.id]},
        headers=bearer(app, team.main),
    )  # fmt: skip
    assert changed.status_code == 200
    assert [s["name"] for s in changed.get_json()["services"]] == ["Routes"]
    assert client.get(f"{V1}/invoices", headers=chloe).get_json()["total"] == 1
    assert "Routes" in text_part(inbox.to("chloe@exemple.fr")[0])
    # An empty list: every service again.
    client.patch(
        f"{_members(team)}/{team.user.id}", json={"service_ids": []}, headers=bearer(app, team.main)
    )
    assert client.get(f"{V1}/invoices", headers=chloe).get_json()["total"] == 3


def test_only_main_managers_change_roles_and_the_last_one_stays(
    client: FlaskClient, app: Flask, team: Team
) -> None:
    url = f"{_members(team)}/{team.user.id}"
    refused = client.patch(url, json={"role": "main_manager"}, headers=bearer(app, team.manager))
    assert refused.status_code == 403
    self_demotion = client.patch(
        f"{_members(team)}/{team.main.id}", json={"role": "user"}, headers=bearer(app, team.main)
    )
    assert self_demotion.status_code == 409
    assert self_demotion.get_json()["type"] == "urn:relais:problem:last-main-manager"
    assert "au moins un gestionnaire principal" in self_demotion.get_json()["detail"]
    empty = client.patch(url, json={}, headers=bearer(app, team.main))
    assert empty.status_code == 422
    nobody = client.patch(
        f"{_members(team)}/{team.other_main.id}", json={"role": "user"},
        headers=bearer(app, team.main),
    )  # fmt: skip
    assert nobody.status_code == 404


def test_a_removed_member_is_told_and_loses_access_at_once(
    client: FlaskClient, app: Flask, team: Team, inbox: Inbox
) -> None:
    make_invoice(team.structure, RecipientFactory(), [("DEPOSEE", at(1))])
    bruno = bearer(app, team.manager)
    assert client.get(f"{V1}/invoices", headers=bruno).get_json()["total"] == 1
    assert (
        client.delete(
            f"{_members(team)}/{team.manager.id}", headers=bearer(app, team.user)
        ).status_code
        == 403
    )
    gone = client.delete(f"{_members(team)}/{team.manager.id}", headers=bearer(app, team.main))
    assert gone.status_code == 204
    assert client.get(f"{V1}/invoices", headers=bruno).get_json()["total"] == 0
    assert client.get(_members(team), headers=bruno).status_code == 404
    [mail] = inbox.to("bruno@exemple.fr")
    assert str(mail["Subject"]) == "Vous ne faites plus partie de Menuiserie Martin dans Relais"
    assert "Votre compte Relais reste ouvert" in text_part(mail)


def test_leaving_and_the_last_member_erasing_the_structure(
    client: FlaskClient, app: Flask, team: Team
) -> None:
    sid = team.structure.id
    leave = f"{V1}/structures/{sid}/leave"
    refused = client.post(leave, headers=bearer(app, team.main))
    assert refused.status_code == 409  # others remain: hand over first
    left = client.post(leave, headers=bearer(app, team.user))
    assert left.status_code == 200 and left.get_json()["erased"] is False
    assert left.get_json()["message"] == (
        "Vous avez quitté Menuiserie Martin : vous ne voyez plus ses factures."
    )
    assert (
        client.delete(
            f"{_members(team)}/{team.manager.id}", headers=bearer(app, team.main)
        ).status_code
        == 204
    )
    last = client.post(leave, headers=bearer(app, team.main))
    assert last.status_code == 200 and last.get_json()["erased"] is True
    assert "effacés de Relais" in last.get_json()["message"]
    db.session.commit()
    assert db.session.get(Structure, sid) is None
    assert client.post(leave, headers=bearer(app, team.main)).status_code == 404


def test_me_says_what_each_role_allows_and_who_is_alone(
    client: FlaskClient, app: Flask, team: Team
) -> None:
    """The app asks /me what to offer, instead of knowing the roles table itself."""

    def mine(user: object) -> dict[str, object]:
        return client.get(f"{V1}/me", headers=bearer(app, user)).get_json()["structures"][0]

    main, manager, user = mine(team.main), mine(team.manager), mine(team.user)
    assert {"see_members", "invite", "change_members", "remove_members", "leave"} <= set(
        main["actions"]
    )
    assert "see_members" in manager["actions"] and "invite" not in manager["actions"]
    assert "see_members" not in user["actions"] and "leave" in user["actions"]
    assert not main["sole_member"]
    assert mine(team.other_main)["sole_member"]  # leaving would erase that structure
