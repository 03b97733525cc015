"""Join requests answered in the app's Compte screen, in a real Chromium against the real app
on loopback (e-mails through a loopback SMTP server).

A second person signs up in the app and adds the demo's structure with its technical account:
it has a main manager, so the API files a join request. The demo's main manager (Claire) sees
it in the structure's card (name, address, date), and accepts it with the role « Gestionnaire »
from a second device; the first device, still showing the request, is refused in French when it
would refuse it (already answered). The requester, signed in again, sees the structure with
that role.

Accepting an invitation in the app (#/invitation?jeton=…): Claire invites Nina; the route with
the e-mailed token shows the offer, Nina makes her account there and lands signed in on the
structure's invoices; the link, once used, is refused in French. axe-core on each new state
at 390×844 and 1280×800, light and dark; screenshots
`app-demandes-*.png`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.mail.smtp import Inbox
from tests.site.test_browser import expect
from tests.webapp.live import LiveApp, live_app
from tests.webapp.screens import (
    checked,
    heading,
    mail_to,
    new_phone,
    open_compte,
    part,
    sign_in,
    sign_out,
    sign_up,
)
from tests.webapp.test_members import invite

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

DEMO = ("demo@relais.example", "demo")
PAUL, PAUL_EMAIL = "Paul Lemaire", "paul.lemaire@exemple.fr"
NINA, NINA_EMAIL = "Nina Perrin", "nina.perrin@exemple.fr"
PASSWORD = "ornithorynque cerfeuil parapluie"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveApp]:
    generous = "1000 per minute"
    with live_app(
        tmp_path_factory.mktemp("demandes"), inbox=inbox, site=True, login_rate_limit=generous,
        account_rate_limit=generous, account_link_rate_limit=generous,
        invitation_rate_limit=generous,
    ) as served:  # fmt: skip
        yield served


def the_card(tab: Any, live: LiveApp) -> Any:
    name = live.sandbox.accounts()[0]["name"]
    return part(tab, "Mes structures").locator("ul.structures > li").filter(has_text=name)


def test_a_join_request_is_seen_and_accepted_with_a_role(
    live: LiveApp,
    tab: Any,
    inbox: Inbox,
    browser: Any,
) -> None:
    taken = live.sandbox.accounts()[0]  # the demo's structure: it has a main manager
    sign_up(tab, live, inbox, PAUL, PAUL_EMAIL, PASSWORD)
    sign_in(tab, live, PAUL_EMAIL, PASSWORD)
    tab.goto(live.url("/app/#/structures/ajouter"))
    expect(heading(tab)).to_have_text("Ajouter une structure")
    tab.get_by_label("SIRET de la structure").fill(taken["siret"])
    tab.get_by_label("Identifiant du compte technique").fill(taken["login"])
    tab.get_by_label("Mot de passe du compte technique", exact=True).fill(taken["password"])
    tab.get_by_role("button", name="Vérifier et ajouter").click()
    expect(heading(tab)).to_have_text("Demande d'accès envoyée")
    # Paul's Compte says it waits.
    open_compte(tab)
    waiting = part(tab, "Mes demandes d'accès").locator("li.person")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(taken["name"])
    expect(waiting).to_contain_text("En attente · demandée le ")
    checked(tab, "demandes-mes-demandes")
    sign_out(tab)

    sign_in(tab, live, *DEMO)
    open_compte(tab)
    card = the_card(tab, live)
    expect(card.get_by_role("heading", name="Demandes d'accès")).to_be_visible()
    asked = card.locator("li.person").filter(has_text=PAUL_EMAIL)
    expect(asked).to_contain_text(PAUL)
    expect(asked).to_contain_text("Demande du ")
    checked(tab, "demandes-en-attente")

    # Another device of the same manager accepts it, as « Gestionnaire ».
    other = new_phone(browser)
    try:
        second = other.new_page()
        sign_in(second, live, *DEMO)
        open_compte(second)
        theirs = the_card(second, live).locator("li.person").filter(has_text=PAUL_EMAIL)
        theirs.get_by_label("Rôle").select_option(label="Gestionnaire")
        theirs.get_by_role("button", name=f"Accepter la demande de {PAUL}").click()
        expect(the_card(second, live)).to_contain_text("Aucune demande d'accès en attente.")
        expect(second.locator("#annonce")).to_contain_text(f"{PAUL} a désormais accès")
    finally:
        other.close()

    # This device still shows the request: refusing it now is refused, in French.
    asked.get_by_role("button", name=f"Refuser la demande de {PAUL}").click()
    expect(asked.get_by_role("alert")).to_have_text("Cette demande d'accès a déjà été acceptée.")
    checked(tab, "demandes-deja-traitee")
    open_compte(tab)
    card = the_card(tab, live)
    expect(card).to_contain_text("Aucune demande d'accès en attente.")
    expect(card.locator("li.person").filter(has_text=PAUL_EMAIL)).to_contain_text("Gestionnaire")
    sign_out(tab)

    # The requester now has the structure, with the role given.
    sign_in(tab, live, PAUL_EMAIL, PASSWORD)
    open_compte(tab)
    mine = the_card(tab, live)
    expect(mine).to_contain_text(f"SIRET {taken['siret']} · Gestionnaire")
    expect(mine.get_by_role("heading", name="Demandes d'accès")).to_have_count(0)
    expect(part(tab, "Mes demandes d'accès")).to_have_count(0)
    checked(tab, "demandes-accordee")
    sign_out(tab)


def test_an_invitation_opened_in_the_app_makes_the_account(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    """Claire invites Nina; the app's route with the e-mailed token shows the offer, Nina makes
    her account there (the live verdict of the sign-up) and lands signed in on the structure's
    invoices; the same link, used, is then refused in French."""
    structure = live.sandbox.accounts()[0]["name"]
    sign_in(tab, live, *DEMO)
    open_compte(tab)
    invite(the_card(tab, live), NINA_EMAIL, "Utilisateur simple")
    sign_out(tab)
    link = mail_to(inbox, NINA_EMAIL, "/compte/invitation/")
    token = parse_qs(urlparse(link).query)["jeton"][0]

    # The e-mail's link opens the site's page, which offers the same invitation in the app.
    tab.goto(link)
    tab.get_by_role("link", name="Ouvrir dans l'application").click()
    expect(heading(tab)).to_have_text("Rejoindre une structure")
    assert tab.url.endswith(f"/app/#/invitation?jeton={token}")
    main = tab.locator("main")
    expect(main).to_contain_text(
        f"vous invite à rejoindre {structure} en tant que Utilisateur simple"
    )
    expect(main).to_contain_text(f"Votre adresse de connexion sera {NINA_EMAIL}.")
    checked(tab, "demandes-invitation")
    tab.get_by_label("Nom et prénom").fill(NINA)
    password = tab.get_by_label("Mot de passe", exact=True)
    password.fill("azertyuiop")
    expect(main.locator(".verdict")).to_contain_text("c'est un mot de passe très courant")
    password.fill(PASSWORD)
    expect(main.locator(".verdict")).to_have_text("Mot de passe accepté.")
    tab.get_by_role("button", name="Créer mon compte et rejoindre la structure").click()
    expect(heading(tab)).to_have_text("Factures")
    expect(tab.get_by_label("Structure", exact=True)).to_have_value(re.compile(r"^\d+$"))
    chosen = tab.get_by_label("Structure", exact=True).locator("option:checked")
    expect(chosen).to_have_text(structure)

    # The same link again, now used: the API's words.
    tab.goto(live.url(f"/app/#/invitation?jeton={token}"))
    expect(tab.locator("main [role=alert]")).to_have_text(
        "Cette invitation a déjà été acceptée : connectez-vous à Relais pour retrouver la "
        "structure."
    )
    checked(tab, "demandes-invitation-utilisee")
    sign_out(tab)


def test_an_invitation_to_an_existing_account_is_joined_after_signing_in(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    """Claire invites Marc, who has an account already: the link asks him to sign in and
    comes back to the offer; signed in with another address, the app says whose invitation it
    is; with his own, « Rejoindre … » opens the structure's invoices."""
    marc, marc_email = "Marc Henry", "marc.henry@exemple.fr"
    structure = live.sandbox.accounts()[0]["name"]
    sign_up(tab, live, inbox, marc, marc_email, PASSWORD)

    sign_in(tab, live, *DEMO)
    open_compte(tab)
    invite(the_card(tab, live), marc_email, "Gestionnaire")
    link = mail_to(inbox, marc_email, "/compte/invitation/")
    token = parse_qs(urlparse(link).query)["jeton"][0]
    in_app = live.url(f"/app/#/invitation?jeton={token}")

    # Signed in as someone else: whose invitation it is, and nothing joined.
    tab.goto(in_app)
    main = tab.locator("main")
    expect(main.get_by_role("alert")).to_contain_text(
        f"Cette invitation est adressée à {marc_email} ; vous êtes connecté avec {DEMO[0]}."
    )
    expect(main.get_by_role("button", name=re.compile("^Rejoindre"))).to_have_count(0)
    sign_out(tab)

    # Signed out: the offer asks to sign in, and the sign-in comes back to it.
    tab.goto(in_app)
    expect(main).to_contain_text(f"Un compte Relais existe déjà pour {marc_email}")
    checked(tab, "demandes-invitation-compte-existant")
    main.get_by_role("link", name="Se connecter").click()
    expect(heading(tab)).to_have_text("Se connecter")
    tab.get_by_label("Adresse e-mail").fill(marc_email)
    tab.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(heading(tab)).to_have_text("Rejoindre une structure")
    expect(main).to_contain_text(f"à rejoindre {structure} en tant que Gestionnaire")
    checked(tab, "demandes-invitation-rejoindre")
    main.get_by_role("button", name=f"Rejoindre {structure}").click()
    expect(heading(tab)).to_have_text("Factures")
    chosen = tab.get_by_label("Structure", exact=True).locator("option:checked")
    expect(chosen).to_have_text(structure)
    open_compte(tab)
    expect(the_card(tab, live)).to_contain_text("Gestionnaire")
    sign_out(tab)
