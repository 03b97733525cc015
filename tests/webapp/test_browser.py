"""The supplier's app in a real Chromium (Playwright), against the real app on loopback with
the demo's data (the portal sandbox, the demo cast, a real sync).

One journey, as a supplier makes it: sign in, the Synthèse, an invoice, a late invoice's
payment block and claim letter, the list filtered and scrolled to its second page, the
Tableau de bord and a status opening its invoices; a second visit that costs 304s (counted at
the server); a silent refresh of an expired access token; offline, the screens read back with
« hors ligne — données du … ». axe-core's RGAA rules on every screen; screenshots at
390×844 and 1280×800 in test-artifacts/screenshots/ (light, and the Synthèse in dark).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The site's browser tests: the same Chromium, the same skip when it is missing, axe-core.
from tests.site.test_browser import (
    SCREENSHOTS,
    axe_problems,
    browser,  # noqa: F401 (fixture)
    expect,
    shoot,
)
from tests.webapp.live import ACCESS_TOKEN_TTL, LiveApp, live_app, statuses

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

DEMO = ("demo@relais.example", "demo")
PHONE = {"width": 390, "height": 844}
OPENED: dict[str, str] = {}  # screens opened along the journey, read back offline


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(tmp_path_factory.mktemp("app")) as served:
        yield served


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:  # noqa: F811 (the fixture imported above)
    """One phone for the whole journey: its service worker and kept answers carry over."""
    made = browser.new_context(
        viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True
    )
    made.set_default_timeout(15_000)
    yield made
    made.close()


@pytest.fixture(scope="module")
def tab(context: Any) -> Iterator[Any]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, errors


def screen(tab: Any, name: str) -> None:
    """No axe violation, no sideways scroll, and the screenshots (phone and desktop)."""
    assert axe_problems(tab) == [], name
    shoot(tab, f"app-{name}")
    tab.set_viewport_size(PHONE)


def heading(tab: Any) -> Any:
    return tab.locator("main h1")


def settled(tab: Any) -> None:
    """Wait until the screen of the current address is shown (its answers arrived)."""
    tab.wait_for_function(
        "() => document.querySelector('main').dataset.shown === location.hash && !!location.hash"
    )


def section(tab: Any, name: str) -> Any:
    """A link of the main navigation (tab bar on a phone)."""
    return tab.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=name, exact=True
    )


def test_sign_in_lands_on_the_synthese_grouped_by_structure(live: LiveApp, tab: Any) -> None:
    tab.goto(live.url("/app"))
    expect(heading(tab)).to_have_text("Se connecter")
    assert tab.url == live.url("/app/#/connexion")
    screen(tab, "connexion")
    tab.get_by_label("Adresse e-mail").fill(DEMO[0])
    tab.get_by_label("Mot de passe").fill("pas le bon")
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("alert")).to_contain_text("incorrect")
    tab.get_by_label("Mot de passe").fill(DEMO[1])
    tab.get_by_label("Mot de passe").press("Enter")  # the keyboard signs in too
    expect(heading(tab)).to_have_text("Synthèse")
    expect(tab).to_have_title("Synthèse — Relais")
    sections = tab.locator("main section h2")
    expect(sections).to_have_count(3)  # the demo user's three structures
    expect(tab.get_by_role("navigation", name="Navigation principale")).to_be_visible()
    expect(section(tab, "Synthèse")).to_have_attribute("aria-current", "page")
    expect(tab.locator("main")).to_contain_text("Acquittement obligatoire sur le portail")
    # From the top of the page, the keyboard first meets the link to the content.
    tab.reload()
    expect(heading(tab)).to_have_text("Synthèse")
    tab.keyboard.press("Tab")
    expect(tab.get_by_role("link", name="Aller au contenu")).to_be_focused()
    tab.keyboard.press("Enter")
    expect(tab.locator("main")).to_be_focused()
    expect(tab).to_have_url(re.compile("#/synthese$"))
    # The service worker is in charge of the app from now on.
    tab.wait_for_function("() => navigator.serviceWorker.controller !== null")
    screen(tab, "synthese")
    tab.emulate_media(color_scheme="dark")
    tab.screenshot(path=str(SCREENSHOTS / "app-synthese-sombre-telephone.png"), full_page=True)
    assert axe_problems(tab) == []  # contrasts hold in dark too
    tab.emulate_media(color_scheme="light")


def test_a_line_of_the_synthese_opens_its_invoice(live: LiveApp, tab: Any) -> None:
    line = tab.locator("main .invoice-link").first
    number = line.locator(".number").inner_text()
    line.click()
    expect(heading(tab)).to_have_text(re.compile(number.replace("Facture ", "") + "$"))
    main = tab.locator("main")
    for title in ("Où en est-elle ?", "La facture", "Destinataire et service", "Paiement"):
        expect(main.get_by_role("heading", name=title)).to_be_visible()
    history = main.locator("ol.timeline li")
    assert history.count() >= 2
    expect(history.first).to_contain_text("Code du portail")
    expect(main.locator("ol.timeline")).to_contain_text("code de la réforme : ")
    # Focus moved to the new screen's title, for keyboards and screen readers.
    assert tab.evaluate("() => document.activeElement.tagName") == "H1"
    screen(tab, "detail-rejet")


def test_a_late_invoice_shows_its_payment_steps_and_its_claim_letter(
    live: LiveApp, tab: Any
) -> None:
    section(tab, "Factures").click()
    expect(heading(tab)).to_have_text("Factures")
    tab.get_by_label("En retard de paiement").check()
    tab.get_by_role("button", name="Filtrer").click()
    expect(tab).to_have_url(re.compile(r"#/factures\?payment=late$"))
    settled(tab)
    expect(tab.locator("main .invoice-link").first).to_be_visible()
    tab.locator("main .invoice-link").first.click()
    main = tab.locator("main")
    expect(main.get_by_role("heading", name="Paiement")).to_be_visible()
    expect(main).to_contain_text("En retard de paiement")
    expect(main.get_by_role("heading", name="Le calcul, étape par étape")).to_be_visible()
    assert main.locator("ol.steps li").count() >= 2
    expect(main.locator(".amount-table")).to_contain_text("€")  # "1 234,56 €"
    assert re.search(r"\d[\u202f\u00a0]?\d{3},\d{2}\xa0€|\d,\d{2}\xa0€", main.inner_text())
    with tab.expect_download() as download:
        tab.get_by_role("button", name="Télécharger le courrier (PDF)").click()
    letter = download.value
    assert letter.suggested_filename.endswith(".pdf")
    assert Path(letter.path()).read_bytes().startswith(b"%PDF")
    expect(main.get_by_role("status").filter(has_text="Courrier téléchargé")).to_be_visible()
    OPENED["late"] = tab.url
    screen(tab, "detail-paiement")


def test_the_list_filters_and_scrolls_to_its_second_page(live: LiveApp, tab: Any) -> None:
    tab.goto(live.url("/app/#/factures"))
    expect(heading(tab)).to_have_text("Factures")
    tab.get_by_label("Structure").select_option(label="Menuiserie Leroux et Fils")
    tab.get_by_role("button", name="Filtrer").click()
    expect(tab).to_have_url(re.compile(r"structure_id="))
    settled(tab)
    expect(tab.locator("main .toolbar [role=status]")).to_have_text("50 factures")
    lines = tab.locator("main ul.invoices > li")
    mark = live.hits.mark()
    tab.locator(".list-footer").scroll_into_view_if_needed()
    expect(lines).to_have_count(40)  # the second page came on its cursor
    pages = [h for h in live.hits.since(mark) if h.path == "/api/v1/invoices"]
    assert any("cursor=" in h.query and "structure_id=" in h.query for h in pages), pages
    tab.locator(".list-footer").scroll_into_view_if_needed()
    expect(lines).to_have_count(50)
    expect(tab.locator(".list-footer")).to_have_text("Fin de la liste.")
    tab.evaluate("() => window.scrollTo(0, 0)")
    screen(tab, "factures")
    # A search by number or recipient, and the status filter.
    tab.get_by_label("Numéro ou destinataire").fill("Saint-Malo")
    tab.get_by_label("Structure").select_option(label="Toutes les structures")
    tab.get_by_role("button", name="Filtrer").click()
    expect(tab).to_have_url(re.compile(r"q=Saint-Malo"))
    settled(tab)
    expect(lines.first).to_contain_text("Saint-Malo")
    for line in lines.all():
        assert "Saint-Malo" in line.inner_text()


def test_the_dashboard_counts_per_status_and_a_status_lists_its_invoices(
    live: LiveApp, tab: Any
) -> None:
    section(tab, "Tableau de bord").click()
    expect(heading(tab)).to_have_text("Tableau de bord")
    main = tab.locator("main")
    expect(main.locator("svg.chart[role=img]")).to_be_visible()
    expect(main.get_by_role("heading", name="Par structure")).to_be_visible()
    row = main.locator("table.counts tr").filter(has=tab.get_by_role("link", name="Rejetée"))
    count = int(row.locator("td").first.inner_text().replace("\u202f", ""))
    screen(tab, "tableau-de-bord")
    # A period: the form takes French dates, the screen says the period.
    tab.get_by_label("Statut changé du").fill("2026-01-01")
    tab.get_by_role("button", name="Afficher").click()
    expect(main).to_contain_text("depuis le 1 janvier 2026")
    section(tab, "Tableau de bord").click()
    expect(tab).to_have_url(re.compile("#/tableau-de-bord$"))
    settled(tab)
    main.get_by_role("link", name="Rejetée", exact=True).click()
    expect(heading(tab)).to_have_text("Factures")
    settled(tab)
    expect(tab.locator("main .toolbar [role=status]")).to_have_text(f"{count} factures")
    expect(tab.get_by_label("Statut")).to_have_value("REJETEE")


def test_a_second_visit_costs_304s(live: LiveApp, tab: Any) -> None:
    screens = ["#/synthese", "#/factures", "#/tableau-de-bord"]
    for hash_ in screens:  # as they are now, each screen's answers kept once
        tab.goto(live.url("/app/" + hash_))
        settled(tab)
        tab.wait_for_load_state("networkidle")
    mark = live.hits.mark()
    tab.reload()
    for hash_ in screens:
        tab.goto(live.url("/app/" + hash_))
        settled(tab)
        tab.wait_for_load_state("networkidle")
    seen = live.hits.since(mark)
    api = statuses(seen, "GET", "/api/v1/")
    assert api[304] >= 6 and api[200] == 0, seen
    # Any 401 (an access token past its 8 s) was followed by the silent refresh.
    assert api[401] <= statuses(seen, "POST", "/api/v1/auth/refresh")[200]
    # The app's files came from the service worker: at most its own revalidation.
    files = [h for h in seen if h.path.startswith("/app/")]
    assert all(h.path == "/app/sw.js" and h.status == 304 for h in files), files


def test_an_expired_access_token_is_refreshed_silently_once(live: LiveApp, tab: Any) -> None:
    tab.goto(live.url("/app/#/factures"))
    settled(tab)
    time.sleep(ACCESS_TOKEN_TTL + 1)
    mark = live.hits.mark()
    tab.get_by_role("button", name="Actualiser").click()
    settled(tab)
    tab.wait_for_load_state("networkidle")
    seen = [(h.method, h.path, h.status) for h in live.hits.since(mark)]
    refreshes = [s for s in seen if s[1] == "/api/v1/auth/refresh"]
    assert refreshes == [("POST", "/api/v1/auth/refresh", 200)], seen
    assert seen.index(refreshes[0]) > seen.index(next(s for s in seen if s[2] == 401))
    expect(heading(tab)).to_have_text("Factures")


def test_offline_the_screens_read_back_with_the_offline_notice(
    live: LiveApp, context: Any, tab: Any
) -> None:
    tab.goto(live.url("/app/#/synthese"))
    settled(tab)
    opened = tab.locator("main .invoice-link").first.get_attribute("href")
    tab.goto(live.url("/app/" + opened))
    settled(tab)
    context.set_offline(True)
    try:
        tab.reload()
        expect(heading(tab)).not_to_have_text("Se connecter")
        notice = tab.locator("main .stale")
        dated = re.compile(r"^Hors ligne — données du \d{1,2} \S+ 20\d\d à \d\d:\d\d$")
        expect(notice).to_have_text(dated)
        expect(tab.locator("#reseau")).to_have_text("Hors ligne")
        screen(tab, "hors-ligne-detail")
        for hash_, title in (("#/synthese", "Synthèse"), ("#/tableau-de-bord", "Tableau de bord")):
            tab.goto(live.url("/app/" + hash_))
            expect(heading(tab)).to_have_text(title)
            expect(tab.locator("main .stale")).to_contain_text("Hors ligne — données du")
        screen(tab, "hors-ligne-synthese")
        # An action that needs the network says so.
        tab.goto(OPENED["late"])
        expect(tab.locator("main .stale")).to_contain_text("Hors ligne — données du")
        tab.get_by_role("button", name="Télécharger le courrier (PDF)").click()
        expect(tab.locator("main").get_by_role("status").last).to_have_text(
            "Hors ligne : le courrier se télécharge avec le réseau. Réessayez quand il revient."
        )
        # A screen never opened says it needs the network.
        tab.goto(live.url("/app/#/factures/999999"))
        expect(tab.get_by_role("alert")).to_contain_text("pas encore été consultée")
    finally:
        context.set_offline(False)
    tab.goto(live.url("/app/#/synthese"))
    expect(tab.locator("main .stale")).to_have_count(0)
    expect(tab.locator("#reseau")).to_be_hidden()


def test_signing_out_forgets_the_session_and_its_data(live: LiveApp, tab: Any) -> None:
    tab.get_by_role("button", name="Se déconnecter").click()
    expect(heading(tab)).to_have_text("Se connecter")
    # Nothing of the supplier's data is left: no entry (a request still in flight may at most
    # leave the cache itself, empty).
    stored = """async () => (await caches.keys()).includes('relais-donnees')
        ? (await (await caches.open('relais-donnees')).keys()).length : 0"""
    assert tab.evaluate(stored) == 0
    assert tab.evaluate("() => sessionStorage.length") == 0
    tab.goto(live.url("/app/#/synthese"))
    expect(heading(tab)).to_have_text("Se connecter")
