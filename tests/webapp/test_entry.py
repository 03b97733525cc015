"""Getting in and the account, in a real Chromium against the real app on loopback: e-mails
through a loopback SMTP server, the community site built (the e-mailed links open its pages),
the portal sandbox with one supplier left out of the demo and the structures due synced in
the background, as the scheduler does.

The journey of a new supplier: sign up (a weak password refused with the API's reason) →
« vérifiez votre boîte » → the e-mailed link opens the site's page → the app → sign in → add
a structure (each refusal of the portal said in French) → its first sync until the invoices
are there; a structure that has members already gets a join request. Then the Compte screen:
two-factor authentication turned on from its QR code's secret (codes computed with pyotp), a
sign-in asking for the code, sessions ended from another device, the technical account
updated and the structure disconnected, a new password, a forgotten password. axe-core on
every screen at 390×844 and 1280×800; screenshots `app-entree-*.png`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.mail.smtp import Inbox, text_part
from tests.site.test_browser import SCREENSHOTS, expect
from tests.webapp.live import LiveApp, live_app
from tests.webapp.screens import (
    Authenticator,
    checked,
    heading,
    mail_to,
    new_phone,
    open_compte,
    part,
    settled,
    sign_in,
    sign_out,
)

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

EMAIL = "lea.garnier@exemple.fr"
NAME = "Léa Garnier"
STRONG = "ornithorynque cerfeuil parapluie"
NEWER = "gouttière vermeille sablier 7"
LATEST = "pivoine cormoran escalier 42"
DEMO_STRUCTURES = 3  # the sandbox's suppliers; its « unclaimed » one has no member yet
STATE: dict[str, Any] = {}  # what the journey learns along the way (secret, recovery codes)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveApp]:
    generous = "1000 per minute"
    with live_app(
        tmp_path_factory.mktemp("entree"), inbox=inbox, site=True,
        scheduler=True, login_rate_limit=generous, account_rate_limit=generous,
        account_link_rate_limit=generous, portal_proof_rate_limit=generous,
    ) as served:  # fmt: skip
        yield served


def test_sign_up_then_the_emailed_link_then_sign_in(live: LiveApp, tab: Any, inbox: Inbox) -> None:
    tab.goto(live.url("/app/"))
    expect(heading(tab)).to_have_text("Se connecter")
    tab.get_by_role("link", name="Créer un compte").click()
    expect(heading(tab)).to_have_text("Créer un compte")
    checked(tab, "entree-inscription")
    # Before signing up, what Relais keeps: the site's privacy page, and back.
    tab.get_by_role("link", name="protection des données personnelles").click()
    expect(tab.locator("h1")).to_contain_text("Protection des données personnelles")
    tab.go_back()
    expect(heading(tab)).to_have_text("Créer un compte")
    tab.get_by_role("button", name="Créer mon compte").click()  # nothing filled in
    expect(tab.get_by_label("Nom et prénom")).to_be_focused()
    expect(tab.get_by_label("Nom et prénom")).to_have_attribute("aria-invalid", "true")
    tab.get_by_label("Nom et prénom").fill(NAME)
    tab.get_by_label("Adresse e-mail").fill(EMAIL)
    password = tab.get_by_label("Mot de passe", exact=True)
    # While typing, the API's verdict: the sign-up's own rule and words (name, address count).
    verdict = tab.locator("main .verdict")
    password.fill("abc")  # the length is the API's (PASSWORD_MIN_LENGTH), said as one types
    expect(verdict).to_contain_text("Mot de passe trop court : 10 caractères au minimum.")
    password.fill("garnierbrest")
    expect(verdict).to_contain_text("il reprend votre nom ou votre adresse e-mail")
    password.fill("azertyuiop")
    expect(verdict).to_contain_text("c'est un mot de passe très courant")
    tab.get_by_role("button", name="Créer mon compte").click()
    # The API's reason, beside the field, read with it; the focus goes there.
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    reason = tab.locator("main .field-error:not([hidden])")
    expect(reason).to_contain_text("Mot de passe trop faible : c'est un mot de passe très courant")
    described = password.get_attribute("aria-describedby") or ""
    assert reason.get_attribute("id") in described.split()
    checked(tab, "entree-inscription-mot-de-passe-faible")
    assert not inbox.to(EMAIL)
    password.fill(STRONG)
    expect(verdict).to_have_text("Mot de passe accepté.")
    tab.get_by_label("Afficher les caractères saisis").check()
    expect(password).to_have_attribute("type", "text")
    password.press("Enter")
    expect(heading(tab)).to_have_text("Vérifiez votre boîte de réception")
    expect(tab.locator("main")).to_contain_text(f"Un e-mail vient d'être envoyé à {EMAIL}.")
    checked(tab, "entree-inscription-envoyee")

    link = mail_to(inbox, EMAIL, "/compte/confirmer/")
    tab.goto(link)
    tab.get_by_role("button", name="Activer mon compte").click()
    expect(tab.locator("[data-compte-resultat]")).to_contain_text("Compte activé")
    tab.get_by_role("link", name="Ouvrir l'application Relais").click()
    expect(heading(tab)).to_have_text("Se connecter")
    sign_in(tab, live, EMAIL, STRONG)
    main = tab.locator("main")
    expect(main).to_contain_text("Aucune structure n'est rattachée à votre compte.")
    main.get_by_role("link", name="Ajouter une structure").click()
    expect(heading(tab)).to_have_text("Ajouter une structure")


def refused(tab: Any, siret: str, login: str, password: str) -> Any:
    """Send the form; the alert it shows."""
    tab.get_by_label("SIRET de la structure").fill(siret)
    tab.get_by_label("Identifiant du compte technique").fill(login)
    tab.get_by_label("Mot de passe du compte technique", exact=True).fill(password)
    tab.get_by_role("button", name="Vérifier et ajouter").click()
    return tab.locator("main form [role=alert]")


def test_adding_a_structure_says_each_refusal_of_the_portal(live: LiveApp, tab: Any) -> None:
    expect(heading(tab)).to_have_text("Ajouter une structure")
    checked(tab, "entree-structure-ajout")
    sandbox = live.sandbox
    free = sandbox.cases()["unclaimed"]
    siret = tab.get_by_label("SIRET de la structure")
    refused(tab, "12345678901234", free["login"], free["password"])
    expect(siret).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("#siret-erreur")).to_have_text("Numéro SIRET invalide.")
    expect(siret).to_be_focused()
    checked(tab, "entree-structure-siret-invalide")
    alert = refused(tab, free["siret"], free["login"], "pas le bon")
    expect(alert).to_contain_text("Le portail refuse le compte technique")
    expect(siret).not_to_have_attribute("aria-invalid", "true")
    expired = sandbox.cases()["expired"]
    alert = refused(tab, expired["siret"], expired["login"], expired["password"])
    expect(alert).to_contain_text("a expiré. Renouvelez-le sur Chorus Pro")
    offline = sandbox.cases()["not_connected"]
    alert = refused(tab, offline["siret"], offline["login"], offline["password"])
    expect(alert).to_contain_text("n'est pas raccordée en mode API")
    sandbox.faults.rate_limit_next(50, 240)
    try:
        alert = refused(tab, free["siret"], free["login"], free["password"])
        expect(alert).to_contain_text("ne répond pas pour le moment ; rien n'a été enregistré")
        expect(alert).to_contain_text("Nouvel essai possible dans 4 minutes.")
        checked(tab, "entree-structure-portail-indisponible")
    finally:
        sandbox.faults.reset()


def test_an_added_structure_syncs_until_its_invoices_are_there(live: LiveApp, tab: Any) -> None:
    free = live.sandbox.cases()["unclaimed"]
    tab.get_by_label("Date d'expiration du mot de passe (facultatif)").fill("2027-06-30")
    refused(tab, free["siret"], free["login"], free["password"])
    expect(heading(tab)).to_have_text("Synchronisation")
    assert re.search(r"#/structures/\d+/synchronisation$", tab.url)
    main = tab.locator("main")
    expect(main).to_contain_text(f"{free['name']} · SIRET {free['siret']}")
    checked(tab, "entree-synchronisation")
    # The scheduler's job takes it up; the screen asks again until the run has ended.
    expect(main.get_by_role("link", name="Voir ses factures")).to_be_visible(timeout=60_000)
    expect(main.locator(".figure")).to_have_text(
        re.compile(r"^\d+ factures reprises$"), timeout=60_000
    )
    stored = int(main.locator(".figure").inner_text().split()[0])
    assert stored > 0
    checked(tab, "entree-synchronisation-terminee")
    main.get_by_role("link", name="Voir ses factures").click()
    expect(heading(tab)).to_have_text("Factures")
    settled(tab)
    expect(tab.locator("main .toolbar [role=status]")).to_have_text(f"{stored} factures")
    expect(tab.locator("main .invoice-link").first).to_be_visible()


def test_a_structure_with_members_sends_a_join_request(live: LiveApp, tab: Any) -> None:
    taken = live.sandbox.accounts()[0]  # the demo's: it has a main manager
    tab.goto(live.url("/app/#/structures/ajouter"))
    expect(heading(tab)).to_have_text("Ajouter une structure")
    refused(tab, taken["siret"], taken["login"], taken["password"])
    expect(heading(tab)).to_have_text("Demande d'accès envoyée")
    expect(tab.locator("main [role=status]")).to_contain_text(
        "votre demande d'accès est envoyée à ses gestionnaires principaux"
    )
    checked(tab, "entree-structure-demande-envoyee")


def test_the_compte_screen_turns_two_factor_on_with_its_qr_code(live: LiveApp, tab: Any) -> None:
    main = open_compte(tab)
    expect(part(tab, "Profil")).to_contain_text(NAME)
    expect(part(tab, "Profil")).to_contain_text(EMAIL)
    structures = part(tab, "Mes structures")
    free = live.sandbox.cases()["unclaimed"]
    expect(structures).to_contain_text(f"SIRET {free['siret']} · Gestionnaire principal")
    expect(structures).to_contain_text(free["login"])
    expect(structures.locator("dd").filter(has_text="2027")).to_have_text("30 juin 2027")
    checked(tab, "entree-compte")
    tab.emulate_media(color_scheme="dark")
    tab.screenshot(path=str(SCREENSHOTS / "app-entree-compte-sombre-telephone.png"), full_page=True)
    tab.emulate_media(color_scheme="light")

    two_factor = part(tab, "Double authentification")
    two_factor.get_by_role("button", name="Activer la double authentification").click()
    qr = two_factor.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    secret = two_factor.locator("[data-secret]").get_attribute("data-secret")
    assert secret and re.fullmatch(r"[A-Z2-7]{16,}", secret)
    STATE["authenticator"] = Authenticator(secret)
    checked(tab, "entree-compte-2fa-qr")
    tab.emulate_media(color_scheme="dark")
    tab.screenshot(path=str(SCREENSHOTS / "app-entree-compte-2fa-qr-sombre-telephone.png"))
    tab.emulate_media(color_scheme="light")
    code = two_factor.get_by_label("Code de vérification")
    code.fill("000000")
    two_factor.get_by_role("button", name="Activer", exact=True).click()
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(heading(tab)).to_have_text("Compte")  # a wrong code does not end the session
    code.fill(STATE["authenticator"].code())
    two_factor.get_by_role("button", name="Activer", exact=True).click()
    codes = two_factor.get_by_role("list", name="Codes de secours").locator("li")
    expect(codes).to_have_count(10)
    STATE["recovery"] = [c.strip() for c in codes.all_inner_texts()]
    expect(two_factor).to_contain_text("ils ne seront plus affichés")
    checked(tab, "entree-compte-2fa-codes-de-secours")
    two_factor.get_by_role("button", name="J'ai noté mes codes").click()
    expect(two_factor).to_contain_text("Activée.")
    expect(two_factor).to_contain_text("Codes de secours restants : 10 codes.")
    assert main.locator("[data-secret]").count() == 0  # the secret is not shown again


def test_sign_in_asks_for_the_two_factor_code(live: LiveApp, tab: Any) -> None:
    sign_out(tab)
    tab.get_by_label("Adresse e-mail").fill(EMAIL)
    tab.get_by_label("Mot de passe", exact=True).fill(STRONG)
    tab.get_by_role("button", name="Se connecter").click()
    code = tab.get_by_label("Code de vérification")
    expect(code).to_be_visible()
    expect(tab.locator("main")).to_contain_text("La double authentification est activée")
    checked(tab, "entree-connexion-code")
    code.fill("123456")
    code.press("Enter")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("#code-2fa-erreur")).not_to_be_empty()
    code.fill(STATE["authenticator"].code())
    tab.get_by_role("button", name="Valider le code").click()
    expect(heading(tab)).to_have_text("Synthèse")


def test_sessions_are_ended_from_the_compte_screen(
    live: LiveApp,
    tab: Any,
    browser: Any,
) -> None:
    others = [new_phone(browser) for _ in range(2)]
    pages = [context.new_page() for context in others]
    try:
        # A recovery code stands for the app's code, once.
        sign_in(pages[0], live, EMAIL, STRONG, otp=STATE["recovery"][0])
        sign_in(pages[1], live, EMAIL, STRONG, otp=STATE["authenticator"].code())
        main = open_compte(tab)
        sessions = part(tab, "Sessions ouvertes").locator("li.session")
        expect(sessions).to_have_count(3)
        expect(sessions.filter(has_text="Cet appareil")).to_have_count(1)
        expect(sessions.first).to_contain_text("Chrome sur Linux")
        checked(tab, "entree-compte-sessions")
        # End one: that phone is signed out at its next request.
        part(tab, "Sessions ouvertes").get_by_role(
            "button", name=re.compile("^Fermer la session")
        ).first.click()
        expect(sessions).to_have_count(2)
        ended = [p for p in pages if not _still_in(p, live)]
        assert len(ended) == 1
        expect(ended[0].locator("main")).to_contain_text("Votre session a pris fin")
        # End all the others: this one stays.
        main.get_by_role("button", name="Fermer toutes les autres sessions").click()
        expect(part(tab, "Sessions ouvertes")).to_contain_text(
            "1 session fermée. Cet appareil reste connecté."
        )
        expect(sessions).to_have_count(1)
        for page in pages:
            assert not _still_in(page, live)
        open_compte(tab)  # this device still works
        expect(part(tab, "Double authentification")).to_contain_text(
            "Codes de secours restants : 9 codes."
        )
    finally:
        for context in others:
            context.close()


def _still_in(page: Any, live: LiveApp) -> bool:
    """Whether the page's session still opens a screen it was not showing (asked anew)."""
    target = "Factures" if not page.url.endswith("#/factures") else "Tableau de bord"
    page.goto(live.url("/app/" + ("#/factures" if target == "Factures" else "#/tableau-de-bord")))
    settled(page)
    return bool(page.locator("main h1").inner_text() == target)


def test_the_technical_account_is_updated_then_the_structure_disconnected(
    live: LiveApp, tab: Any
) -> None:
    free = live.sandbox.cases()["unclaimed"]
    open_compte(tab)
    card = part(tab, "Mes structures").locator("li").filter(has_text=free["siret"])
    card.get_by_text("Mettre à jour le mot de passe du compte technique").click()
    card.get_by_label("Mot de passe du compte technique", exact=True).fill("pas le bon")
    card.get_by_role("button", name="Vérifier et enregistrer").click()
    expect(card.get_by_role("alert")).to_contain_text("Le portail refuse le compte technique")
    checked(tab, "entree-compte-structure-mot-de-passe")
    card.get_by_label("Mot de passe du compte technique", exact=True).fill(free["password"])
    card.get_by_label("Date d'expiration du mot de passe (facultatif)").fill("2027-09-30")
    card.get_by_role("button", name="Vérifier et enregistrer").click()
    expect(card.locator("dd").filter(has_text="2027")).to_have_text("30 septembre 2027")
    expect(tab.locator("#annonce")).to_contain_text("Compte technique vérifié et enregistré")
    card.get_by_role("button", name="Déconnecter la structure").click()
    confirm = card.get_by_role("button", name="Oui, déconnecter")
    expect(confirm).to_be_focused()
    checked(tab, "entree-compte-structure-deconnecter")
    confirm.click()
    expect(card).to_contain_text("Aucun : la structure est déconnectée du portail.")
    expect(card.get_by_text("Reconnecter la structure au portail")).to_be_visible()


def test_two_factor_off_and_a_new_password(live: LiveApp, tab: Any, inbox: Inbox) -> None:
    open_compte(tab)
    two_factor = part(tab, "Double authentification")
    two_factor.get_by_text("Désactiver", exact=True).click()
    two_factor.get_by_label("Mot de passe", exact=True).fill(STRONG)
    two_factor.locator("#desactiver-code").fill(STATE["recovery"][1])
    two_factor.get_by_role("button", name="Désactiver la double authentification").click()
    expect(
        two_factor.get_by_role("button", name="Activer la double authentification")
    ).to_be_visible()

    password = part(tab, "Mot de passe")
    password.get_by_text("Changer de mot de passe").click()
    password.get_by_label("Mot de passe actuel").fill("pas le bon")
    password.get_by_label("Nouveau mot de passe").fill(NEWER)
    expect(password.locator(".verdict")).to_have_text("Mot de passe accepté.")
    password.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(password.get_by_label("Mot de passe actuel")).to_have_attribute("aria-invalid", "true")
    expect(password).to_contain_text("Mot de passe actuel incorrect.")
    checked(tab, "entree-compte-mot-de-passe")
    password.get_by_label("Mot de passe actuel").fill(STRONG)
    password.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(password).to_contain_text("Mot de passe changé.")
    sign_out(tab)
    sign_in(tab, live, EMAIL, NEWER)  # no code asked any more


def test_a_forgotten_password_gets_a_link_whatever_the_address(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    sign_out(tab)
    tab.get_by_role("link", name="Mot de passe oublié ?").click()
    expect(heading(tab)).to_have_text("Mot de passe oublié")
    checked(tab, "entree-mot-de-passe-oublie")
    answers: list[str] = []
    for address in ("personne@exemple.fr", EMAIL):
        if answers:  # back to the form
            tab.get_by_role("link", name="Revenir à la connexion").click()
            tab.get_by_role("link", name="Mot de passe oublié ?").click()
        tab.get_by_label("Adresse e-mail").fill(address)
        tab.get_by_role("button", name="Recevoir un lien").click()
        status = tab.locator("main [role=status]")
        expect(status).to_contain_text("Si un compte utilise cette adresse")
        answers.append(status.inner_text())
    assert answers[0] == answers[1]
    checked(tab, "entree-mot-de-passe-oublie-envoye")
    # An address without an account is told so by e-mail, with no link.
    assert "jeton=" not in text_part(inbox.to("personne@exemple.fr")[0])
    link = mail_to(inbox, EMAIL, "/compte/mot-de-passe/")
    tab.goto(link)
    tab.get_by_label("Nouveau mot de passe").fill(LATEST)
    tab.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(tab.locator("[data-compte-resultat]")).to_contain_text("Mot de passe enregistré")
    tab.get_by_role("link", name="Ouvrir l'application Relais").click()
    sign_in(tab, live, EMAIL, LATEST)
    login = {"email": EMAIL, "password": NEWER}
    assert httpx.post(live.url("/api/v1/auth/login"), json=login, timeout=10).status_code == 401


def test_a_new_email_address_is_confirmed_by_its_link(
    live: LiveApp, tab: Any, inbox: Inbox
) -> None:
    newer = "lea.garnier@nouvelle.fr"
    open_compte(tab)
    profile = part(tab, "Profil")
    profile.get_by_text("Changer d'adresse e-mail").click()
    profile.get_by_label("Nouvelle adresse e-mail").fill(newer)
    profile.get_by_label("Mot de passe actuel").fill(LATEST)
    profile.get_by_role("button", name="Changer d'adresse").click()
    expect(profile.get_by_role("status")).to_contain_text("D'ici là, votre adresse reste la même.")
    checked(tab, "entree-compte-adresse")
    tab.goto(mail_to(inbox, newer, "/compte/adresse/"))
    tab.get_by_role("button", name="Confirmer ma nouvelle adresse").click()
    expect(tab.locator("[data-compte-resultat]")).to_contain_text("Adresse confirmée")
    tab.get_by_role("link", name="Ouvrir l'application Relais").click()
    settled(tab)
    if heading(tab).inner_text() != "Se connecter":  # this tab's session is still open
        sign_out(tab)
    sign_in(tab, live, newer, LATEST)
    open_compte(tab)
    expect(part(tab, "Profil")).to_contain_text(newer)


def test_a_name_is_corrected_from_the_compte_screen(live: LiveApp, tab: Any) -> None:
    corrected = "Léa Garnier-Morvan"
    open_compte(tab)
    profile = part(tab, "Profil")
    profile.get_by_text("Corriger mon nom").click()
    name = profile.get_by_label("Nom et prénom")
    expect(name).to_have_value(NAME)
    name.fill("   ")  # the API's reason, beside the field
    profile.get_by_role("button", name="Enregistrer mon nom").click()
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(profile).to_contain_text("Indiquez votre nom.")
    name.fill(corrected)
    profile.get_by_role("button", name="Enregistrer mon nom").click()
    expect(profile.get_by_role("status")).to_contain_text("Nom enregistré")
    expect(profile.locator("dd").first).to_have_text(corrected)
    checked(tab, "entree-compte-nom")
    open_compte(tab)  # read anew: the API kept it
    expect(part(tab, "Profil").locator("dd").first).to_have_text(corrected)


def test_each_structure_shows_what_its_role_allows(live: LiveApp, tab: Any) -> None:
    """The demo's main manager approves the join request as a simple user: that structure
    shows no portal connection; the demo account sees its own as main manager and manager."""
    accounts = live.sandbox.accounts()
    login = {"email": "demo@relais.example", "password": "demo"}
    token = httpx.post(live.url("/api/v1/auth/login"), json=login, timeout=10).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    me = httpx.get(live.url("/api/v1/me"), headers=headers, timeout=10).json()
    first = next(s["id"] for s in me["structures"] if s["siret"] == accounts[0]["siret"])
    pending = httpx.get(
        live.url(f"/api/v1/structures/{first}/join-requests"), headers=headers, timeout=10
    ).json()["items"]
    assert len(pending) == 1
    approve = f"/api/v1/structures/{first}/join-requests/{pending[0]['id']}/approve"
    answer = httpx.post(live.url(approve), json={"role": "user"}, headers=headers, timeout=10)
    assert answer.status_code == 200

    open_compte(tab)
    card = part(tab, "Mes structures").locator("li").filter(has_text=accounts[0]["siret"])
    expect(card).to_contain_text("Utilisateur simple")
    expect(card.locator("dl")).to_have_count(0)  # no connection shown to a simple user
    expect(card.get_by_role("button")).to_have_count(0)

    sign_out(tab)
    sign_in(tab, live, "demo@relais.example", "demo")
    open_compte(tab)
    cards = part(tab, "Mes structures").locator("ul.structures > li")
    expect(cards).to_have_count(DEMO_STRUCTURES)
    main_card, manager_card = cards.nth(0), cards.nth(1)
    expect(main_card).to_contain_text("Gestionnaire principal")
    expect(
        main_card.get_by_text("Mettre à jour le mot de passe du compte technique")
    ).to_be_visible()
    expect(main_card.get_by_role("button", name="Déconnecter la structure")).to_be_visible()
    expect(manager_card.locator("p.muted").first).to_have_text(
        f"SIRET {accounts[1]['siret']} · Gestionnaire"
    )
    expect(manager_card).to_contain_text(accounts[1]["login"])  # managers see the connection
    expect(manager_card.get_by_role("button")).to_have_count(0)  # only main managers change it
    checked(tab, "entree-compte-demo")
    # Shared demo accounts cannot turn two-factor authentication on: the API says why.
    two_factor = part(tab, "Double authentification")
    two_factor.get_by_role("button", name="Activer la double authentification").click()
    expect(two_factor.get_by_role("alert")).to_contain_text("comptes de démonstration")
