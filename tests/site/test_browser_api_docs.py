"""/api/docs in a real Chromium, on a phone and on a desktop: French, laid out at the screen's
width, legible and operable (axe-core's RGAA rules, Swagger UI tried out), under the
Content-Security-Policy, with a link back to the site. Screenshots: api-docs-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_browser import (  # the live app and browser of the site's tests
    CSP_REPORTER,
    SCREENSHOTS,
    VIEWPORTS,
    Live,
    _console_problem,
    axe_problems,
    browser,  # noqa: F401 (fixture)
    expect,
    fits_width,
    live,  # noqa: F401 (fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

# A phone lays a page out at 980 px unless the page asks for the device's width.
DEVICES = {
    "telephone": {"viewport": VIEWPORTS["telephone"], "is_mobile": True, "has_touch": True},
    "bureau": {"viewport": VIEWPORTS["bureau"]},
}


def _try_out(tab: Any, operation: str, *, execute: bool = False) -> None:
    """Open an operation and its « Try it out » form; run it if asked."""
    block = tab.locator(f"#operations-{operation}")
    block.locator(".opblock-summary-control").click()
    block.locator(".try-out__btn").click()
    if execute:
        block.locator(".execute").click()
        expect(block.locator(".live-responses-table")).to_be_visible()


@pytest.mark.parametrize("device", list(DEVICES))
def test_api_docs_on_a_phone_and_a_desktop(live: Live, browser: Any, device: str) -> None:  # noqa: F811
    context = browser.new_context(locale="fr-FR", **DEVICES[device])
    tab = context.new_page()
    problems: list[str] = []
    tab.expose_function("relaisCspViolation", lambda text: problems.append(f"CSP: {text}"))
    tab.add_init_script(CSP_REPORTER)
    tab.on("console", lambda message: problems.extend(_console_problem(message)))
    tab.on("pageerror", lambda error: problems.append(f"page: {error}"))
    tab.goto(live.url("/api/docs"))
    expect(tab.locator(".opblock").first).to_be_visible()
    assert tab.evaluate("() => document.documentElement.lang") == "fr"
    width = DEVICES[device]["viewport"]["width"]  # type: ignore[index]
    assert tab.evaluate("() => window.innerWidth") == width
    assert fits_width(tab), "la page déborde en largeur"
    problems += axe_problems(tab)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"api-docs-{device}.png"), full_page=True)

    _try_out(tab, "auth-postLogin")  # a JSON body
    _try_out(tab, "invoices-getInvoices")  # query parameters, lists among them
    _try_out(tab, "announcements-getAnnouncements", execute=True)  # an answer, its curl
    problems += [f"essai : {problem}" for problem in axe_problems(tab)]
    assert fits_width(tab), "la page déborde en largeur une fois les essais ouverts"
    tab.screenshot(path=str(SCREENSHOTS / f"api-docs-essai-{device}.png"))
    tab.locator(".btn.authorize").first.click()
    expect(tab.locator(".modal-ux")).to_be_visible()
    problems += [f"autorisation : {problem}" for problem in axe_problems(tab)]
    tab.get_by_role("button", name="Fermer").click()

    tab.get_by_role("link", name="Retour au site Relais").click()
    expect(tab).to_have_url(live.url("/"))
    expect(tab).to_have_title(re.compile("Relais"))
    tab.wait_for_load_state("networkidle")  # closing mid-download leaves the server's files open
    context.close()
    assert not problems, "\n".join(problems)
