"""The community site's addresses, footer and search in a real Chromium, at 1280×800 and
390×844: unknown pages and folders without their slash, no request that fails, a French footer
that leads to the newsletter, and a search that folds accents and ranks the reference first.

Reuses test_browser.py's live app (its own instance for this module); screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.site import test_browser as shared
from tests.site.test_browser import SCREENSHOTS, VIEWPORTS, Live, expect, shoot

# The live app, the browser and a tab, as test_browser.py makes them (one app per module).
live, browser, page = shared.live, shared.browser, shared.page

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

BLOG_POST = "/actualites/2026/10/12/delai-de-sept-jours/"


def test_unknown_page_is_the_site_404(live: Live, page: Any) -> None:
    answer = page.goto(live.url("/xyz"))
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable")
    expect(page).to_have_title(re.compile("^Page introuvable"))
    page.get_by_role("link", name="calendrier des formations").click()
    expect(page.locator("h1")).to_contain_text("Calendrier")
    page.goto(live.url("/xyz"))
    shoot(page, "page-introuvable")


def test_signing_up_from_the_calendar_without_its_slash(live: Live, page: Any) -> None:
    """/formations/calendrier (no slash) → « S'inscrire » reaches the session's page."""
    chosen = next(t for t in live.trainings() if t["registration_open"] and t["seats_left"])
    answer = page.goto(live.url("/formations/calendrier"))
    assert answer.ok and page.url == live.url("/formations/calendrier/")
    expect(page.locator("#relais-catalogue[data-live='oui']")).to_be_attached()
    card = page.locator(f".relais-session[data-training-id='{chosen['id']}']")
    card.get_by_role("link", name=re.compile("S'inscrire")).click()
    expect(page.locator("h1")).to_have_text(chosen["title"])
    assert page.url == live.url(f"/formations/session/?id={chosen['id']}")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()


@pytest.mark.parametrize("path", ["/", BLOG_POST])
def test_no_request_fails(live: Live, browser: Any, path: str) -> None:
    """No page asks for a missing file (Material looks for a sitemap beside the RSS link)."""
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="fr-FR")
        tab = context.new_page()
        failed = _failures(tab)
        tab.goto(live.url(path))
        tab.wait_for_load_state("networkidle")
        context.close()
        assert not failed, f"{device}: {failed}"


def _failures(tab: Any) -> list[str]:
    """Requests of the tab that fail or answer an error, as they happen."""
    failed: list[str] = []
    tab.on("requestfailed", lambda request: failed.append(f"{request.url} (échec)"))
    tab.on("response", lambda r: failed.extend([f"{r.url} ({r.status})"] * (r.status >= 400)))
    return failed


def test_footer_in_french_leads_to_the_newsletter(live: Live, page: Any) -> None:
    page.goto(live.url("/statuts/"))
    footer = page.locator(".md-footer-meta")
    expect(footer).to_contain_text("pas le site officiel")
    expect(footer).not_to_contain_text("Made with")
    expect(
        footer.get_by_role("link", name="Portail officiel de facturation publique")
    ).to_have_attribute("href", "https://chorus-pro.gouv.fr")
    footer.get_by_role("link", name="Lettre d'information").click()
    expect(page.locator("h1")).to_contain_text("Lettre d'information")
    expect(page.get_by_role("button", name="M'abonner")).to_be_visible()
    shoot(page, "lettre-information")
    page.goto(live.url("/actualites/"))
    sidebar = page.locator(".md-sidebar--primary")
    expect(sidebar.get_by_role("link", name="Lettre d'information")).to_be_attached()


def _search(tab: Any, query: str) -> list[str]:
    """Type the query as a visitor does; the pages found, in the order shown."""
    field = tab.locator("input.md-search__input")
    if not field.is_visible():  # on a phone the search opens from the header's button
        tab.locator("label.md-header__button[for='__search']").click()
    field.fill("")
    expect(tab.locator(".md-search-result__item")).to_have_count(0)
    field.fill(query)
    field.press("End")  # Material reads the query on key events
    items = tab.locator(".md-search-result__list > .md-search-result__item")
    expect(items.first).to_be_attached()
    return list(
        items.evaluate_all("els => els.map(e => new URL(e.querySelector('a').href).pathname)")
    )


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_search_folds_accents_and_ranks_the_reference_first(
    live: Live, browser: Any, device: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="fr-FR")
    tab = context.new_page()
    tab.goto(live.url("/tutoriels/"))
    accented = _search(tab, "rejetée")
    assert _search(tab, "rejetee") == accented
    assert len(accented) > 5 and accented[0] == "/statuts/"
    assert _search(tab, "recycler")[0] == "/statuts/"
    assert _search(tab, "oeuvre")[:2] == _search(tab, "œuvre")[:2]
    siret = _search(tab, "SIRET")
    assert siret[0] == "/tutoriels/modifier-son-siret/"
    assert not [href for href in siret if href.startswith("/formations/session")]
    _search(tab, "recycler")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"recherche-recycler-{device}.png"))
    context.close()
