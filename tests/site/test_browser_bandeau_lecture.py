"""The announcement bar and reading on a phone, in a real Chromium (fixtures of
test_browser.py: the real app on loopback, the site built by the rebuild job).

Screenshots (1280×800 and 390×844) go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.site.test_browser import (
    ROOT,
    SCREENSHOTS,
    VIEWPORTS,
    Live,
    axe_problems,
    browser,
    expect,
    live,
)

pytestmark = [pytest.mark.browser, pytest.mark.nodb]
__all__ = ["browser", "live"]  # fixtures shared with test_browser.py

SEEDED = "Mise en production d'une nouvelle version"  # the demo's maintenance, tomorrow
LATER = "Migration de la base de données"
LATER_TEXT = "Relais sera indisponible toute la matinée."
ANNONCES_JS = ROOT / "docs_site" / "docs" / "javascripts" / "annonces.js"
POLL_MS = int(re.search(r"POLL_MS = (\d+)", ANNONCES_JS.read_text("utf-8")).group(1))  # type: ignore[union-attr]
TODO = "Ce que vous devez faire"


def _admin(live: Live) -> dict[str, str]:
    answer = httpx.post(
        live.url("/api/v1/auth/login"),
        json={"email": "admin@relais.example", "password": "demo"},
        timeout=10,
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _publish(live: Live, body: dict[str, Any]) -> int:
    answer = httpx.post(live.url("/api/v1/announcements"), json=body, headers=_admin(live))
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


@pytest.fixture(scope="module")
def two_notices(live: Live) -> Iterator[None]:
    """Tomorrow's maintenance (seeded), then one published later for three days after it;
    the rebuild job builds both into the bar and the news."""
    items = httpx.get(live.url("/api/v1/announcements"), timeout=10).json()["items"]
    seeded = next(a for a in items if a["category"] == "maintenance")
    later = dt.datetime.fromisoformat(seeded["window_starts_at"]) + dt.timedelta(days=3)
    body = {
        "category": "maintenance",
        "title": LATER,
        "body": f"{LATER_TEXT}\n\nRenvoyez après la fenêtre les événements refusés.",
        "window_starts_at": later.replace(hour=8).isoformat(),
        "window_ends_at": later.replace(hour=12, minute=30).isoformat(),
    }
    identifier = _publish(live, body)
    live.rebuild()
    yield
    httpx.delete(live.url(f"/api/v1/announcements/{identifier}"), headers=_admin(live))


def _open(browser: Any, live: Live, path: str, device: str, **options: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="fr-FR", **options)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(live.url(path))
    return tab


def _shot(tab: Any, name: str, device: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)


def _no_sideways_scroll(tab: Any) -> bool:
    return bool(tab.evaluate("() => document.scrollingElement.scrollWidth <= innerWidth"))


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_two_notices_soonest_first_and_each_dismissed_for_good(
    live: Live, browser: Any, two_notices: None, device: str
) -> None:
    tab = _open(browser, live, "/", device)
    line = tab.locator(".md-banner .relais-annonces__ligne")
    expect(tab.locator("[data-relais-annonces][data-live='oui']")).to_be_attached()
    expect(line).to_contain_text(SEEDED)
    expect(line).to_contain_text("et 1 autre")
    assert tab.locator(".md-banner").evaluate("n => n.getBoundingClientRect().height") <= 48
    text = tab.locator(".relais-annonces__texte")
    heights = text.evaluate(
        "n => [n.getBoundingClientRect().height, parseFloat(getComputedStyle(n).lineHeight)]"
    )
    assert heights[0] <= heights[1] * 1.2, f"more than one line: {heights}"
    _shot(tab, "bandeau-deux-annonces", device)

    line.click()  # the disclosure: every notice, in date order, with its text
    items = tab.locator(".relais-annonces__liste > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(SEEDED)
    expect(items.nth(1)).to_contain_text(LATER)
    expect(items.nth(1)).to_contain_text(LATER_TEXT)
    assert not axe_problems(tab)
    _shot(tab, "bandeau-details", device)

    tab.get_by_role("button", name=f"Masquer l'annonce « {SEEDED} »").click()
    expect(line).to_contain_text(LATER)
    expect(line).not_to_contain_text("et 1 autre")
    tab.reload()
    expect(tab.locator("[data-relais-annonces][data-live='oui']")).to_be_attached()
    expect(line).to_contain_text(LATER)  # the dismissed one stays away, the other stays
    expect(line).not_to_contain_text(SEEDED)
    tab.get_by_role("button", name=f"Masquer l'annonce « {LATER} »").click()
    expect(tab.locator(".md-banner")).to_be_hidden()
    tab.reload()
    expect(tab.locator("[data-relais-annonces][data-live='oui']")).to_be_attached()
    expect(tab.locator(".md-banner")).to_be_hidden()
    tab.context.close()


def test_the_bar_reads_the_same_without_javascript_and_links_the_news(
    live: Live, browser: Any, two_notices: None
) -> None:
    texts = (
        ".relais-annonces__ligne, .relais-annonces__liste > li > p:not(.relais-annonces__actions)"
    )
    static = _open(browser, live, "/", "bureau", java_script_enabled=False)
    built = static.locator(texts).all_text_contents()
    expect(static.get_by_role("button", name=re.compile("Masquer"))).to_have_count(0)
    static.context.close()
    tab = _open(browser, live, "/", "bureau")
    expect(tab.locator("[data-relais-annonces][data-live='oui']")).to_be_attached()
    assert tab.locator(texts).all_text_contents() == built
    assert LATER in " ".join(built)

    tab.locator(".relais-annonces__ligne").click()
    tab.get_by_role("link", name=f"Lire l'actualité « {LATER} »").click()
    expect(tab.locator(".md-content h1")).to_contain_text(LATER)
    expect(tab.locator(".md-content")).to_contain_text(LATER_TEXT)
    feed = httpx.get(live.url("/rss.xml"), timeout=10).text
    assert f"<title>{LATER}</title>" in feed
    tab.goto(live.url("/actualites/category/maintenance/"))
    expect(tab.locator(".md-content")).to_contain_text(LATER)
    expect(tab.locator(".md-content")).to_contain_text(SEEDED)
    tab.context.close()


def test_a_notice_published_while_a_page_is_open_shows_without_reload(
    live: Live, browser: Any
) -> None:
    """The page asks the API again every POLL_MS with its ETag (a 304 while nothing changes);
    the test runs the page's clock forward instead of waiting."""
    assert POLL_MS <= 60_000, "a new notice must show within a minute"
    context = browser.new_context(viewport=VIEWPORTS["telephone"], locale="fr-FR")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.clock.install()
    tab.goto(live.url("/tutoriels/creer-un-compte/"))
    expect(tab.locator("[data-relais-annonces][data-live='oui']")).to_be_attached()
    tab.evaluate("() => { window.relaisSamePage = true; }")
    asked = "**/api/v1/announcements"
    with tab.expect_response(asked) as unchanged:
        tab.clock.run_for(POLL_MS + 1_000)
    assert unchanged.value.status == 304, "nothing new: the ETag saves the answer"
    title = "Dépôt des factures ralenti"
    identifier = _publish(live, {"category": "incident", "title": title, "body": "En cours."})
    try:
        tab.clock.run_for(POLL_MS + 1_000)
        expect(tab.locator(".relais-annonces__ligne")).to_contain_text(title)
        assert tab.evaluate("() => window.relaisSamePage === true"), "the page was reloaded"
    finally:
        httpx.delete(live.url(f"/api/v1/announcements/{identifier}"), headers=_admin(live))
    context.close()


ONE_LINE_TIMES = """() => {
  const broken = [];
  document.querySelectorAll('.relais-session dd').forEach((dd) => {
    const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\d{1,2}\\s+h\\s+\\d{2}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  });
  return broken;
}"""
BROKEN_CODES = """() => [...document.querySelectorAll('.md-typeset td code')]
  .filter((code) => new Set([...code.getClientRects()].map((r) => Math.round(r.top))).size > 1)
  .map((code) => code.textContent)"""


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_statuses_read_on_a_phone(live: Live, browser: Any, device: str) -> None:
    tab = _open(browser, live, "/statuts/", device)
    assert _no_sideways_scroll(tab)
    assert tab.evaluate(BROKEN_CODES) == []
    width = VIEWPORTS[device]["width"]
    row = tab.locator("table[data-cartes] tr", has=tab.locator("code", has_text="A_RECYCLER"))
    todo = row.locator(f"td[data-label='{TODO}']")
    todo.scroll_into_view_if_needed()
    expect(todo).to_contain_text("Corriger ces données")
    box = todo.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    if device == "telephone":  # every row's « what to do » is within the screen
        cells = tab.locator(f"td[data-label='{TODO}']")
        assert cells.count() >= 15
        outside = cells.evaluate_all(
            "(cells, w) => cells.filter((c) => { const r = c.getBoundingClientRect();"
            " return r.left < 0 || r.right > w; }).length",
            width,
        )
        assert outside == 0
    _shot(tab, "statuts-lecture", device)
    tab.context.close()


def _sessions(tab: Any) -> int:
    return int(tab.locator("#relais-catalogue .relais-session").count())


def _height(tab: Any) -> int:
    return int(tab.evaluate("() => document.scrollingElement.scrollHeight"))


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_the_calendar_filters_by_theme_and_month(live: Live, browser: Any, device: str) -> None:
    trainings = live.trainings()
    tab = _open(browser, live, "/formations/calendrier/", device)
    expect(tab.locator("#relais-catalogue[data-live='oui']")).to_be_attached()
    expect(tab.get_by_label("Thème")).to_be_visible()
    assert _no_sideways_scroll(tab)
    assert tab.evaluate(ONE_LINE_TIMES) == []
    assert _sessions(tab) == len(trainings)
    everything = _height(tab)

    theme = next(t["title"] for t in trainings if t["format"] == "coaching")
    tab.get_by_label("Thème").select_option(theme)
    expected = [t for t in trainings if t["title"] == theme]
    expect(tab.locator("#relais-catalogue .relais-session")).to_have_count(len(expected))
    expect(tab.locator("#relais-catalogue h3")).to_have_text([theme] * len(expected))
    expect(tab.locator(".relais-filtres__compte")).to_have_text(
        f"{len(expected)} session{'s' if len(expected) > 1 else ''} sur {len(trainings)}."
    )
    assert _height(tab) < everything
    assert "theme=" in tab.url

    month = tab.locator("#filtre-mois option").nth(1).get_attribute("value")
    tab.get_by_label("Mois").select_option(month)
    narrowed = [t for t in expected if t["parts"][0]["starts_at"][:7] == month]
    expect(tab.locator("#relais-catalogue .relais-session")).to_have_count(len(narrowed))
    assert _no_sideways_scroll(tab)
    _shot(tab, "calendrier-filtre", device)

    tab.reload()  # the choice is in the address
    expect(tab.locator("#relais-catalogue .relais-session")).to_have_count(len(narrowed))
    expect(tab.get_by_label("Mois")).to_have_value(month or "")
    tab.get_by_label("Thème").select_option("")
    tab.get_by_label("Mois").select_option("")
    expect(tab.locator("#relais-catalogue .relais-session")).to_have_count(len(trainings))
    tab.context.close()


def test_the_calendar_shows_everything_without_javascript(live: Live, browser: Any) -> None:
    tab = _open(browser, live, "/formations/calendrier/", "telephone", java_script_enabled=False)
    assert _sessions(tab) == len(live.trainings())
    expect(tab.locator("[data-relais-filtres]")).to_be_hidden()
    assert tab.evaluate(ONE_LINE_TIMES) == []
    assert _no_sideways_scroll(tab)
    tab.context.close()
