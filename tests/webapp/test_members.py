"""Members, invitations, leaving and « Mes données » in the app's Compte screen, in a real
Chromium against the real app on loopback (e-mails through a loopback SMTP server).

The demo's main manager (Claire) invites a colleague restricted to a service (the e-mail
arrives), sees the pending invitation and revokes it (its link no longer works); two
colleagues join from their e-mailed invitations; she changes one's role, is refused when she
would leave the structure without a main manager (demoting herself, or leaving), names the
colleague main manager and leaves. The colleague downloads his data (the JSON holds his
address), is refused the deletion of his account while another member depends on him (the
structure named), removes that member, then — two-factor authentication on — deletes his
account: the app signs out, says so, and signing in fails. axe-core on each new state at
390×844 and 1280×800, light and dark; screenshots `app-membres-*.png`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.mail.smtp import Inbox
from tests.site.test_browser import expect
from tests.webapp.live import LiveApp, live_app
from tests.webapp.screens import (
    Authenticator,
    checked,
    heading,
    mail_to,
    open_compte,
    part,
    sign_in,
    sign_out,
)

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

DEMO = ("demo@relais.example", "demo")
MARC, MARC_EMAIL = "Marc Dupuis", "marc.dupuis@exemple.fr"
JULIE, JULIE_EMAIL = "Julie Roux", "julie.roux@exemple.fr"
PASSWORD = "ornithorynque cerfeuil parapluie"
LAST_MAIN = "La structure doit garder au moins un gestionnaire principal"
INVITATION_PAGE = "/compte/invitation/"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveApp]:
    generous = "1000 per minute"
    with live_app(
        tmp_path_factory.mktemp("membres"), inbox=inbox, login_rate_limit=generous,
        account_rate_limit=generous, account_link_rate_limit=generous,
        invitation_rate_limit=generous,
    ) as served:  # fmt: skip
        yield served


def the_card(tab: Any, live: LiveApp) -> Any:
    """The card of the demo's structure (the sandbox's first supplier) in « Mes structures »."""
    name = live.sandbox.accounts()[0]["name"]
    return part(tab, "Mes structures").locator("ul.structures > li").filter(has_text=name)


def person(card: Any, text: str) -> Any:
    return card.locator("li.person").filter(has_text=text)


def invite(card: Any, email: str, role: str, service: bool = False) -> str:
    """Send an invitation from the card's form; the name of the service chosen, if any."""
    form = card.locator("details").filter(
        has=card.page.locator("summary", has_text="Inviter une personne")
    )
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.get_by_label("Adresse e-mail de la personne").fill(email)
    form.get_by_label("Rôle", exact=True).select_option(label=role)
    chosen = ""
    if service:
        box = form.locator("fieldset.services .check").first
        chosen = box.locator("label").inner_text().rsplit(" (", 1)[0]
        box.locator("input").check()
    form.get_by_role("button", name="Envoyer l'invitation").click()
    expect(form.get_by_role("status")).to_contain_text(f"Invitation envoyée à {email}")
    return chosen


def edit(card: Any, who: str, role: str) -> Any:
    """Open the member's form, choose the role, save; the form (for what it says)."""
    line = person(card, who)
    line.locator("summary", has_text="Modifier le rôle ou les services").click()
    line.get_by_label("Rôle", exact=True).select_option(label=role)
    line.get_by_role("button", name="Enregistrer").click()
    return line


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["jeton"][0]


def test_a_main_manager_invites_sees_the_invitation_and_revokes_it(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    sign_in(tab, live, *DEMO)
    open_compte(tab)
    card = the_card(tab, live)
    expect(card.get_by_role("heading", name="Membres")).to_be_visible()
    expect(person(card, "Claire Lefèvre")).to_contain_text("Claire Lefèvre (vous)")
    expect(person(card, "Claire Lefèvre")).to_contain_text(
        "Gestionnaire principal · Tous les services"
    )
    expect(card).to_contain_text("Aucune invitation en attente.")
    checked(tab, "membres-compte")

    service = invite(card, MARC_EMAIL, "Gestionnaire", service=True)
    link = mail_to(inbox, MARC_EMAIL, INVITATION_PAGE)  # through the loopback SMTP server
    pending = person(card, MARC_EMAIL)
    expect(pending).to_contain_text(f"Gestionnaire · Services : {service}")
    expect(pending).to_contain_text("Envoyée par Claire Lefèvre le ")
    checked(tab, "membres-invitation-en-attente")
    pending.get_by_role("button", name=f"Annuler l'invitation de {MARC_EMAIL}").click()
    expect(card).to_contain_text("Aucune invitation en attente.")
    expect(tab.locator("#annonce")).to_contain_text("son lien ne fonctionne plus")
    checked(tab, "membres-invitation-annulee")
    preview = httpx.post(
        live.url("/api/v1/invitations/preview"), json={"token": token_of(link)}, timeout=10
    )
    assert preview.status_code == 400, preview.text
    assert preview.json()["type"] == "urn:relais:problem:invitation-revoked"


def _join(live: LiveApp, inbox: Inbox, email: str, name: str) -> None:
    """The invited person creates their account from the e-mailed link (through the API)."""
    token = token_of(mail_to(inbox, email, INVITATION_PAGE))
    body = {"token": token, "full_name": name, "password": PASSWORD}
    joined = httpx.post(live.url("/api/v1/invitations/sign-up"), json=body, timeout=10)
    assert joined.status_code in (200, 201), joined.text


def test_a_role_is_changed_and_the_last_main_manager_is_kept(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    card = the_card(tab, live)
    invite(card, MARC_EMAIL, "Utilisateur simple")
    invite(card, JULIE_EMAIL, "Utilisateur simple")
    _join(live, inbox, MARC_EMAIL, MARC)
    _join(live, inbox, JULIE_EMAIL, JULIE)
    open_compte(tab)
    card = the_card(tab, live)
    expect(card.locator("li.person")).to_have_count(3)
    expect(card).to_contain_text("Aucune invitation en attente.")

    line = edit(card, MARC, "Gestionnaire")
    expect(person(card, MARC)).to_contain_text("Gestionnaire · Tous les services")
    expect(tab.locator("#annonce")).to_contain_text(f"{MARC} : rôle et services enregistrés.")
    checked(tab, "membres-role-change")

    line = edit(card, "Claire Lefèvre", "Gestionnaire")  # the only main manager steps down
    expect(line.get_by_role("alert")).to_contain_text(LAST_MAIN)
    expect(person(card, "Claire Lefèvre")).to_contain_text("Gestionnaire principal ·")
    checked(tab, "membres-dernier-gestionnaire-principal")

    leave = card.locator("details.leave")
    leave.locator("summary").click()
    expect(leave).to_contain_text("Pour y revenir, il faudra qu'un gestionnaire principal")
    leave.get_by_role("button", name="Oui, quitter la structure").click()
    expect(leave.get_by_role("alert")).to_contain_text(LAST_MAIN)
    checked(tab, "membres-quitter-refuse")


def test_a_member_leaves_once_another_is_main_manager(live: LiveApp, tab: Any) -> None:
    open_compte(tab)
    card = the_card(tab, live)
    edit(card, MARC, "Gestionnaire principal")
    expect(person(card, MARC)).to_contain_text("Gestionnaire principal · Tous les services")
    # She steps down to manager: the screen is drawn anew with what that role allows (the
    # members, not their changes nor the invitations).
    edit(card, "Claire Lefèvre", "Gestionnaire")
    expect(card.locator("p.muted").first).to_contain_text("· Gestionnaire")
    expect(person(card, "Claire Lefèvre")).to_contain_text("Gestionnaire · Tous les services")
    expect(card.locator("li.person")).to_have_count(3)
    expect(card.get_by_text("Modifier le rôle ou les services")).to_have_count(0)
    expect(card.get_by_role("heading", name="Invitations en attente")).to_have_count(0)
    checked(tab, "membres-gestionnaire")
    leave = card.locator("details.leave")
    leave.locator("summary").click()
    leave.get_by_role("button", name="Oui, quitter la structure").click()
    said = card.get_by_role("status")
    expect(said).to_contain_text("Vous avez quitté")
    expect(said).to_contain_text("vous ne voyez plus ses factures")
    expect(card.get_by_role("heading", level=3)).to_be_focused()
    checked(tab, "membres-quitte")
    open_compte(tab)
    expect(part(tab, "Mes structures").locator("ul.structures > li").first).to_be_visible()
    expect(the_card(tab, live)).to_have_count(0)  # no longer hers
    sign_out(tab)


def test_my_data_is_downloaded_then_the_account_deleted(
    live: LiveApp, tab: Any, inbox: Inbox, tmp_path: Path
) -> None:
    sign_in(tab, live, MARC_EMAIL, PASSWORD)
    open_compte(tab)
    mine = part(tab, "Mes données")
    privacy = mine.get_by_role("link", name="protection des données personnelles")
    expect(privacy).to_have_attribute("href", "/confidentialite/")  # the site's page
    with tab.expect_download() as started:
        mine.get_by_role("button", name="Télécharger mes données (JSON)").click()
    download = started.value
    assert download.suggested_filename == "relais-mes-donnees.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert MARC_EMAIL in json.dumps(data, ensure_ascii=False)
    expect(mine.get_by_role("status")).to_have_text("Copie téléchargée : relais-mes-donnees.json")
    checked(tab, "membres-mes-donnees")

    # The only main manager of a structure that has another member: named in the refusal.
    name = live.sandbox.accounts()[0]["name"]
    mine.locator("summary", has_text="Supprimer mon compte").click()
    mine.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    mine.get_by_role("button", name="Supprimer définitivement mon compte").click()
    refusal = mine.get_by_role("alert")
    expect(refusal).to_contain_text("Vous êtes le seul gestionnaire principal")
    expect(refusal).to_contain_text(f"« {name} »")
    checked(tab, "membres-suppression-refusee")

    card = the_card(tab, live)
    person(card, JULIE).get_by_role("button", name=f"Retirer {JULIE} de la structure").click()
    yes = card.get_by_role("button", name="Oui, retirer")
    expect(yes).to_be_focused()
    checked(tab, "membres-retirer")
    yes.click()
    expect(card.locator("li.person")).to_have_count(1)
    expect(tab.locator("#annonce")).to_contain_text(f"{JULIE} est retiré")

    # Two-factor authentication on: the deletion asks for its code too.
    authenticator = _turn_two_factor_on(live)
    open_compte(tab)
    card = the_card(tab, live)
    card.locator("details.leave summary").click()
    expect(card.locator("details.leave")).to_contain_text(
        "Vous êtes son seul membre : en la quittant"
    )
    expect(card.locator("details.leave")).to_contain_text("est effacée de Relais avec ses données")
    mine = part(tab, "Mes données")
    mine.locator("summary", has_text="Supprimer mon compte").click()
    password = mine.get_by_label("Mot de passe", exact=True)
    password.fill("pas le bon")
    mine.get_by_label("Code de vérification").fill(authenticator.code())
    mine.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(mine).to_contain_text("Mot de passe incorrect.")
    checked(tab, "membres-suppression-code")
    password.fill(PASSWORD)
    mine.get_by_label("Code de vérification").fill(authenticator.code())
    mine.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(heading(tab)).to_have_text("Se connecter")
    expect(tab.locator("main [role=status]")).to_contain_text("Votre compte est supprimé")
    checked(tab, "membres-compte-supprime")

    tab.get_by_label("Adresse e-mail").fill(MARC_EMAIL)
    tab.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.locator("main form [role=alert]")).not_to_be_empty()
    expect(heading(tab)).to_have_text("Se connecter")
    login = {"email": MARC_EMAIL, "password": PASSWORD}
    assert httpx.post(live.url("/api/v1/auth/login"), json=login, timeout=10).status_code == 401
    assert re.search(r"supprimé", str(inbox.to(MARC_EMAIL)[-1]["Subject"]))


def _turn_two_factor_on(live: LiveApp) -> Authenticator:
    login = {"email": MARC_EMAIL, "password": PASSWORD}
    pair = httpx.post(live.url("/api/v1/auth/login"), json=login, timeout=10).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    secret = httpx.post(live.url("/api/v1/me/two-factor"), headers=headers, timeout=10).json()
    authenticator = Authenticator(secret["secret"])
    confirmed = httpx.post(
        live.url("/api/v1/me/two-factor/confirm"), json={"code": authenticator.code()},
        headers=headers, timeout=10,
    )  # fmt: skip
    assert confirmed.status_code == 200, confirmed.text
    return authenticator
