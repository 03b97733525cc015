"""What the app's browser tests share: opening a phone, finding the screen's parts, signing
up and in, reading e-mailed links, and checking a screen (axe-core, width, screenshots)."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from tests.mail.smtp import Inbox, text_part
from tests.site.test_browser import SCREENSHOTS, VIEWPORTS, axe_violations, expect, fits_width
from tests.webapp.live import LiveApp

PHONE = VIEWPORTS["telephone"]


def new_phone(browser: Any) -> Any:
    """A phone's browser context (390×844, French, Paris time)."""
    made = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    made.set_default_timeout(20_000)
    return made


def axe_problems(tab: Any) -> list[str]:
    """Every violation of axe-core's RGAA rules on the page, whatever its impact (the site's
    tests count only the serious and critical ones)."""
    return axe_violations(tab)


def checked(tab: Any, name: str, devices: tuple[str, ...] = ("telephone", "bureau")) -> None:
    """No axe violation on each device (390×844, 1280×800), light and dark; no sideways
    scroll; a screenshot `app-{name}-{device}.png` of each. The viewport is put back."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = tab.viewport_size
    for device in devices:
        tab.set_viewport_size(VIEWPORTS[device])
        for scheme in ("light", "dark"):
            tab.emulate_media(color_scheme=scheme)
            assert axe_problems(tab) == [], f"{name} ({device}, {scheme})"
        tab.emulate_media(color_scheme="light")
        assert fits_width(tab), f"{name}: la page déborde en largeur ({device})"
        tab.screenshot(path=str(SCREENSHOTS / f"app-{name}-{device}.png"), full_page=True)
    tab.set_viewport_size(viewport)


def heading(tab: Any) -> Any:
    return tab.locator("main h1")


def settled(tab: Any) -> None:
    tab.wait_for_function(
        "() => document.querySelector('main').dataset.shown === location.hash && !!location.hash"
    )


def mail_to(inbox: Inbox, address: str, page_path: str) -> str:
    """The link to `page_path` in the newest message to `address` that has one (waits for it)."""
    pattern = re.compile(rf"https?://\S+{re.escape(page_path)}\?jeton=\S+")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for message in reversed(inbox.to(address)):
            link = pattern.search(text_part(message))
            if link:
                return link.group(0)
        time.sleep(0.1)
    raise AssertionError(f"aucun lien {page_path} reçu par {address}")


class Authenticator:
    """The person's authenticator app: a fresh TOTP step for each code (the API refuses a
    step already used), waiting for the clock when the next one is not yet accepted."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.used = 0

    def code(self) -> str:
        step = max(int(time.time()) // 30, self.used + 1)
        while step > int(time.time()) // 30 + 1:  # the API accepts one step ahead at most
            time.sleep(0.5)
        self.used = step
        return str(self.totp.at(step * 30))


def sign_in(tab: Any, live: LiveApp, email: str, password: str, otp: str | None = None) -> None:
    tab.goto(live.url("/app/#/connexion"))
    expect(heading(tab)).to_have_text("Se connecter")
    tab.get_by_label("Adresse e-mail").fill(email)
    tab.get_by_label("Mot de passe", exact=True).fill(password)
    tab.get_by_role("button", name="Se connecter").click()
    if otp is not None:
        tab.get_by_label("Code de vérification").fill(otp)
        tab.get_by_role("button", name="Valider le code").click()
    expect(heading(tab)).to_have_text("Synthèse")


def sign_out(tab: Any) -> None:
    tab.get_by_role("button", name="Se déconnecter").click()
    expect(heading(tab)).to_have_text("Se connecter")


def open_compte(tab: Any) -> Any:
    """The Compte screen, read anew (from another screen if it is the one shown)."""
    nav = tab.get_by_role("navigation", name="Navigation principale")
    if tab.url.endswith("#/compte"):
        nav.get_by_role("link", name="Synthèse", exact=True).click()
        settled(tab)
    nav.get_by_role("link", name="Compte", exact=True).click()
    expect(heading(tab)).to_have_text("Compte")
    settled(tab)
    return tab.locator("main")


def part(tab: Any, title: str) -> Any:
    return tab.get_by_role("region", name=title)


def sign_up(tab: Any, live: LiveApp, inbox: Inbox, name: str, email: str, password: str) -> None:
    """An account made in the app and activated by its e-mailed link (the site's page)."""
    tab.goto(live.url("/app/#/inscription"))
    expect(heading(tab)).to_have_text("Créer un compte")
    tab.get_by_label("Nom et prénom").fill(name)
    tab.get_by_label("Adresse e-mail").fill(email)
    tab.get_by_label("Mot de passe", exact=True).fill(password)
    tab.get_by_role("button", name="Créer mon compte").click()
    expect(heading(tab)).to_have_text("Vérifiez votre boîte de réception")
    tab.goto(mail_to(inbox, email, "/compte/confirmer/"))
    tab.get_by_role("button", name="Activer mon compte").click()
    expect(tab.locator("[data-compte-resultat]")).to_contain_text("Compte activé")
