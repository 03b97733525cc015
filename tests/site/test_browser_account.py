"""The pages that account e-mails open (/compte/…), in a real Chromium against the real app
(the fixtures of test_browser.py): activate an account, choose a new password, confirm a new
address. Nothing happens on opening a link; a click does it. Screenshots at both sizes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.site.test_browser import (
    SCREENSHOTS,
    VIEWPORTS,
    Live,
    axe_problems,
    browser,
    expect,
    fits_width,
    live,
    page,
)

__all__ = ["browser", "live", "page"]
pytestmark = [pytest.mark.browser, pytest.mark.nodb]
STRONG = "ornithorynque cerfeuil parapluie"
NEWER = "gouttière vermeille sablier 7"


def _link(live: Live, address: str, page_path: str) -> str:
    body = live.mail_to(address)
    found = re.search(rf"https?://\S+{re.escape(page_path)}\?jeton=\S+", body)
    assert found, body
    assert found.group(0).startswith(live.base)
    return found.group(0)


def _checked(tab: Any, name: str) -> None:
    """No serious accessibility problem; fits a phone; screenshots at both sizes."""
    assert not axe_problems(tab)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        tab.set_viewport_size(viewport)
        assert fits_width(tab), f"{name}: la page déborde en largeur ({device})"
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)
    tab.set_viewport_size(VIEWPORTS["bureau"])


def _login(live: Live, email: str, password: str) -> int:
    body = {"email": email, "password": password}
    return httpx.post(live.url("/api/v1/auth/login"), json=body, timeout=10).status_code


def test_activate_an_account_from_the_emailed_link(live: Live, page: Any) -> None:
    body = {"email": "nina.roux@exemple.fr", "password": STRONG, "full_name": "Nina Roux"}
    assert httpx.post(live.url("/api/v1/accounts"), json=body, timeout=30).status_code == 202
    link = _link(live, "nina.roux@exemple.fr", "/compte/confirmer/")
    page.goto(link)
    assert _login(live, "nina.roux@exemple.fr", STRONG) == 401  # opening the page did nothing
    _checked(page, "compte-activer")
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text("Compte activé")
    expect(page.get_by_role("button", name="Activer mon compte")).to_be_hidden()
    assert _login(live, "nina.roux@exemple.fr", STRONG) == 200
    page.reload()
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text("Ce lien a déjà servi")


def test_choose_a_new_password_from_the_forgotten_password_page(live: Live, page: Any) -> None:
    body = {"email": "hugo.blanc@exemple.fr", "password": STRONG, "full_name": "Hugo Blanc"}
    httpx.post(live.url("/api/v1/accounts"), json=body, timeout=30)
    token_link = _link(live, "hugo.blanc@exemple.fr", "/compte/confirmer/")
    token = token_link.split("jeton=", 1)[1]
    httpx.post(live.url("/api/v1/accounts/confirm"), json={"token": token}, timeout=10)

    page.goto(live.url("/compte/mot-de-passe/"))
    page.get_by_label("Adresse e-mail").fill("hugo.blanc@exemple.fr")
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text("Si un compte utilise")
    _checked(page, "compte-mot-de-passe-demande")

    page.goto(_link(live, "hugo.blanc@exemple.fr", "/compte/mot-de-passe/"))
    field = page.get_by_label("Nouveau mot de passe")
    field.fill("azertyuiop")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#erreur-nouveau-password")).to_contain_text("mot de passe très courant")
    _checked(page, "compte-mot-de-passe-choix")
    field.fill(NEWER)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text("Mot de passe enregistré")
    assert _login(live, "hugo.blanc@exemple.fr", NEWER) == 200
    assert _login(live, "hugo.blanc@exemple.fr", STRONG) == 401


def test_a_link_cut_short_says_so(live: Live, page: Any) -> None:
    page.goto(live.url("/compte/adresse/"))
    expect(page.locator("[data-compte-etat]")).to_contain_text("Le lien est incomplet")
    expect(page.get_by_role("button", name="Confirmer ma nouvelle adresse")).to_be_hidden()


def _invited(live: Live, email: str) -> str:
    """A structure whose main manager invites `email`: the e-mailed link to the page."""
    from backend.accounts.models import Role
    from backend.accounts.service import start_session
    from backend.db import db
    from tests.factories import MembershipFactory, StructureFactory, UserFactory

    with live.app.app_context():
        main = UserFactory(full_name="Anne Principale")
        structure = StructureFactory(name="Menuiserie Invitante")
        MembershipFactory(user=main, structure=structure, role=Role.MAIN_MANAGER)
        pair = start_session(db.session, main, config=live.config)
        db.session.commit()
        url = live.url(f"/api/v1/structures/{structure.id}/invitations")
        headers = {"Authorization": f"Bearer {pair.access_token}"}
        db.session.remove()
    body = {"email": email, "role": "manager"}
    assert httpx.post(url, json=body, headers=headers, timeout=30).status_code == 201
    return _link(live, email, "/compte/invitation/")


def test_join_from_an_invitation_with_a_new_account(live: Live, page: Any) -> None:
    page.goto(_invited(live, "lina.neuve@exemple.fr"))
    expect(page.locator("[data-compte-etat]")).to_contain_text(
        "Anne Principale vous invite à rejoindre Menuiserie Invitante avec le rôle «\u00a0"
        "gestionnaire\u00a0»"
    )
    _checked(page, "compte-invitation")
    page.get_by_label("Votre nom").fill("Lina Neuve")
    page.get_by_label("Choisissez un mot de passe").fill("azertyuiop")
    button = page.get_by_role("button", name="Créer mon compte et rejoindre la structure")
    button.click()
    expect(page.locator("#erreur-invitation-password")).to_contain_text("très courant")
    page.get_by_label("Choisissez un mot de passe").fill(STRONG)
    button.click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text(
        "Bienvenue : vous avez rejoint Menuiserie Invitante"
    )
    assert _login(live, "lina.neuve@exemple.fr", STRONG) == 200
    page.reload()
    expect(page.locator("[data-compte-etat]")).to_contain_text("déjà été acceptée")


def test_join_from_an_invitation_with_an_existing_account(live: Live, page: Any) -> None:
    from tests.factories import PASSWORD, UserFactory

    with live.app.app_context():
        UserFactory(email="marc.ancien@exemple.fr", full_name="Marc Ancien")
    page.goto(_invited(live, "marc.ancien@exemple.fr"))
    expect(page.locator("#form-compte-existant")).to_be_visible()
    page.get_by_label("Mot de passe de votre compte").fill("pas le bon")
    page.get_by_role("button", name="Accepter l'invitation").click()
    expect(page.locator("[data-compte-resultat]")).to_be_visible()
    page.get_by_label("Mot de passe de votre compte").fill(PASSWORD)
    page.get_by_role("button", name="Accepter l'invitation").click()
    expect(page.locator("[data-compte-resultat]")).to_contain_text("Bienvenue")
