"""The list on a touch screen: pulling it down from the top refreshes it, a short pull does not.

Real touches (the DevTools protocol's Input.dispatchTouchEvent) on a phone-sized Chromium with
a touch screen, against the real app; the refresh is seen at the server as a new list request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.site.test_browser import browser, expect  # noqa: F401 (fixture)
from tests.webapp.live import LiveApp, live_app

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

DEMO = ("demo@relais.example", "demo")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(Path(tmp_path_factory.mktemp("touch"))) as served:
        yield served


@pytest.fixture
def phone(browser: Any, live: LiveApp) -> Iterator[Any]:  # noqa: F811 (the fixture imported above)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto(live.url("/app/"))
    tab.get_by_label("Adresse e-mail").fill(DEMO[0])
    tab.get_by_label("Mot de passe").fill(DEMO[1])
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.locator("main h1")).to_have_text("Synthèse")
    tab.goto(live.url("/app/#/factures"))
    expect(tab.locator("main h1")).to_have_text("Factures")
    tab.wait_for_function("() => document.querySelector('main').dataset.shown === location.hash")
    yield tab
    context.close()


def _pull(tab: Any, distance: int) -> None:
    """A finger put on the list, moved down by `distance` px in steps, then lifted."""
    cdp = tab.context.new_cdp_session(tab)
    box = tab.locator("main ul.invoices").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 10
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 6):
        point = {"x": x, "y": y + distance * step / 5}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def _list_requests(live: LiveApp, mark: int) -> int:
    return sum(1 for hit in live.hits.since(mark) if hit.path == "/api/v1/invoices")


def test_pulling_the_list_down_refreshes_it(live: LiveApp, phone: Any) -> None:
    assert phone.evaluate("() => window.scrollY") == 0
    mark = live.hits.mark()
    _pull(phone, 30)  # too short: nothing happens
    phone.wait_for_timeout(500)
    assert _list_requests(live, mark) == 0
    _pull(phone, 200)
    for _ in range(100):  # the reload asks the server again (a 304 when nothing changed)
        if _list_requests(live, mark):
            break
        phone.wait_for_timeout(100)
    assert _list_requests(live, mark) == 1
    expect(phone.locator("main ul.invoices li").first).to_be_visible()
    expect(phone.locator("main .pull")).not_to_have_class("pull shown")
