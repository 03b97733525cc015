"""The app's Notifications screen in a real Chromium (Playwright), against the real app on
loopback with the demo's data (portal sandbox, real sync), without FIREBASE_WEB_CONFIG.

A status change made in the portal sandbox and brought in by the real sync shows in the
inbox (read on focus), with the count on the navigation; opening it opens the invoice and
marks it read; « Tout marquer comme lu »; the preferences and quiet hours saved and read back
after a reload; the inbox polled every 30 s with 304s (counted at the server); the service
worker's push handler driven through the DevTools protocol with an FCM web-push payload, the
notification it shows, and its click opening the invoice. axe-core on the screen at 390×844
and 1280×800, screenshots in test-artifacts/screenshots/ (light and dark).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from backend.accounts.models import Membership, User
from backend.db import current_session
from backend.push.models import Device, Notification, NotificationSettings

# The site's browser tests: the same Chromium, the same skip when it is missing, axe-core.
from tests.site.test_browser import (
    SCREENSHOTS,
    axe_problems,
    browser,  # noqa: F401 (fixture)
    expect,
    fits_width,
    shoot,
)
from tests.webapp.live import LiveApp, live_app, statuses

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

DEMO = ("demo@relais.example", "demo")
PHONE = {"width": 390, "height": 844}
FIRST_PAGE = "/api/v1/notifications"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    with live_app(tmp_path_factory.mktemp("app-notifications")) as served:
        yield served


@pytest.fixture(scope="module")
def context(browser: Any, live: LiveApp) -> Iterator[Any]:  # noqa: F811 (the fixture imported above)
    made = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    made.set_default_timeout(15_000)
    # Notifications allowed, as after the person said yes: the worker may show them.
    made.grant_permissions(["notifications"], origin=live.base)
    yield made
    made.close()


@pytest.fixture(scope="module")
def tab(context: Any, live: LiveApp) -> Iterator[Any]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    yield page
    assert not errors, errors


def sign_in(page: Any, live: LiveApp) -> None:
    page.goto(live.url("/app/#/connexion"))
    page.get_by_label("Adresse e-mail").fill(DEMO[0])
    page.get_by_label("Mot de passe").fill(DEMO[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("main h1")).to_have_text("Synthèse")


def heading(tab: Any) -> Any:
    return tab.locator("main h1")


def settled(tab: Any) -> None:
    tab.wait_for_function(
        "() => document.querySelector('main').dataset.shown === location.hash && !!location.hash"
    )


def nav_link(tab: Any) -> Any:
    return tab.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name=re.compile("^Notifications")
    )


def screen(tab: Any, name: str) -> None:
    """No axe violation on a phone (390×844) nor a desktop (1280×800), no sideways scroll from
    360 px (the narrowest phones) to a desktop, and the screenshots (phone and desktop)."""
    assert axe_problems(tab) == [], name
    tab.set_viewport_size({"width": 1280, "height": 800})
    assert axe_problems(tab) == [], f"{name} (bureau)"
    tab.set_viewport_size({"width": 360, "height": 740})
    assert fits_width(tab), f"{name}: la page déborde en largeur à 360 px"
    shoot(tab, f"app-{name}")
    tab.set_viewport_size(PHONE)


def demo_user_id(live: LiveApp) -> int:
    with live.app.app_context():
        return current_session().scalars(select(User.id).where(User.email == DEMO[0])).one()


def newest_notification(live: LiveApp, invoice_id: int) -> Notification:
    with live.app.app_context():
        session = current_session()
        note = session.scalars(
            select(Notification).where(Notification.invoice_id == invoice_id)
            .order_by(Notification.id.desc())
        ).first()  # fmt: skip
        assert note is not None
        session.expunge(note)
        return note


def quiet_settings(live: LiveApp) -> NotificationSettings:
    user_id = demo_user_id(live)
    with live.app.app_context():
        session = current_session()
        settings = session.scalars(
            select(NotificationSettings).where(NotificationSettings.user_id == user_id)
        ).one()
        session.expunge(settings)
        return settings


def reject_in_the_portal_and_sync(live: LiveApp, others: int = 0) -> tuple[int, str]:
    """An invoice of the demo user's first structure rejected in the portal sandbox, brought
    in by the real sync (see `LiveApp.reject`)."""
    user_id = demo_user_id(live)
    with live.app.app_context():
        structure_id = current_session().scalars(
            select(Membership.structure_id).where(Membership.user_id == user_id)
            .order_by(Membership.structure_id).limit(1)
        ).one()  # fmt: skip
    return live.reject(structure_id, others)


def test_a_status_change_from_the_sync_reaches_the_inbox_and_opens_its_invoice(
    live: LiveApp, tab: Any
) -> None:
    nav_link(tab).click()
    expect(heading(tab)).to_have_text("Notifications")
    expect(nav_link(tab)).to_have_attribute("aria-current", "page")
    settled(tab)
    # Enough at once that the inbox has a second page.
    invoice_id, number = reject_in_the_portal_and_sync(live, others=25)
    # The app comes back to the screen: the inbox is read again.
    tab.evaluate("() => window.dispatchEvent(new Event('focus'))")
    first = tab.locator("main ul.notices > li").first
    expect(first).to_contain_text(f"Facture {number} : Rejetée")
    expect(first.locator(".notice")).to_have_class(re.compile(r"\bunread\b"))
    expect(first).to_contain_text("Non lue")  # said to screen readers, shown as a dot
    note = newest_notification(live, invoice_id)
    assert note.read_at is None
    # Infinite scroll: the next page comes on the API's cursor as the end of the list nears.
    shown = tab.locator("main ul.notices > li")
    expect(shown).to_have_count(25)
    mark = live.hits.mark()
    tab.locator("main .list-footer").scroll_into_view_if_needed()
    expect(shown).not_to_have_count(25)
    assert any("cursor=" in h.query for h in live.hits.since(mark) if h.path == FIRST_PAGE)
    tab.evaluate("() => window.scrollTo(0, 0)")

    expect(nav_link(tab).locator(".count")).to_contain_text(re.compile(r"^\d+\+? non lues?$"))
    expect(tab.locator("main [role=status]").first).to_contain_text(re.compile(r"non lues?$"))
    screen(tab, "notifications")
    tab.emulate_media(color_scheme="dark")
    tab.screenshot(path=str(SCREENSHOTS / "app-notifications-sombre-telephone.png"), full_page=True)
    assert axe_problems(tab) == []
    tab.emulate_media(color_scheme="light")

    mark = live.hits.mark()
    first.get_by_role("link").click()
    expect(heading(tab)).to_have_text(re.compile(re.escape(number) + "$"))
    expect(tab).to_have_url(re.compile(rf"#/factures/{invoice_id}$"))
    tab.wait_for_load_state("networkidle")
    # (A 401 first is the 8 s access token expiring: the app refreshes it and asks again.)
    reads = [h for h in live.hits.since(mark) if h.path.endswith("/read") and h.status != 401]
    assert [(h.method, h.path, h.status) for h in reads] == [
        ("POST", f"/api/v1/notifications/{note.id}/read", 204)
    ]
    tab.go_back()
    expect(heading(tab)).to_have_text("Notifications")
    settled(tab)
    opened = tab.locator(f"main a.notice[href='#/factures/{invoice_id}']").first
    expect(opened).not_to_have_class(re.compile(r"\bunread\b"))


def test_mark_all_read_empties_the_count(live: LiveApp, tab: Any) -> None:
    main = tab.locator("main")
    button = main.get_by_role("button", name="Tout marquer comme lu")
    expect(button).to_be_enabled()
    button.click()
    expect(main.get_by_role("status").first).to_have_text("Aucune notification non lue")
    expect(main.locator(".notice.unread")).to_have_count(0)
    expect(nav_link(tab).locator(".count")).to_have_count(0)
    expect(button).to_be_disabled()
    user_id = demo_user_id(live)
    with live.app.app_context():
        left = current_session().scalars(
            select(Notification.id).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        ).all()  # fmt: skip
    assert left == []


def test_a_notice_about_a_structure_opens_compte(live: LiveApp, tab: Any) -> None:
    """The technical password's expiry warning is dealt with in Compte: the notice opens it
    and is read as it opens (as its web push's link does)."""
    from backend.push.broadcast import notify_managers

    user_id = demo_user_id(live)
    with live.app.app_context():
        session = current_session()
        structure_id = session.scalars(
            select(Membership.structure_id).where(Membership.user_id == user_id)
            .order_by(Membership.structure_id).limit(1)
        ).one()  # fmt: skip
        notify_managers(
            session, structure_id, "Compte technique : le mot de passe expire dans 7 jours",
            "Renouvelez-le sur Chorus Pro, puis enregistrez-le dans Relais.",
        )  # fmt: skip
        session.commit()
    tab.evaluate("() => window.dispatchEvent(new Event('focus'))")
    notice = tab.locator("main ul.notices > li a.notice[href='#/compte']").first
    expect(notice).to_contain_text("Compte technique : le mot de passe expire dans 7 jours")
    expect(notice).to_have_class(re.compile(r"\bunread\b"))
    notice.click()
    expect(heading(tab)).to_have_text("Compte")
    expect(nav_link(tab).locator(".count")).to_have_count(0)
    with live.app.app_context():
        unread = current_session().scalars(
            select(Notification.id).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        ).all()  # fmt: skip
    assert unread == []
    nav_link(tab).click()
    expect(heading(tab)).to_have_text("Notifications")
    settled(tab)


def test_preferences_and_quiet_hours_are_saved_and_read_back(live: LiveApp, tab: Any) -> None:
    main = tab.locator("main")
    main.get_by_role("button", name="Aller aux préférences et aux heures calmes").click()
    expect(main.get_by_role("heading", name="Préférences", exact=True)).to_be_focused()
    structure = main.locator("fieldset.prefs").first
    name = structure.locator("legend").inner_text()
    every = structure.get_by_role("checkbox", name=re.compile("^Tous les changements"))
    expect(every).to_be_checked()
    every.uncheck()
    main.get_by_label("Activer les heures calmes").check()
    main.get_by_label("Début").fill("21:30")
    main.get_by_label("Fin").fill("07:15")
    main.get_by_label("Laisser passer les notifications « Action requise »").check()
    main.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    main.get_by_role("button", name="Enregistrer les préférences").click()
    expect(main.get_by_role("status").filter(has_text="Préférences enregistrées.")).to_be_visible()
    screen(tab, "notifications-preferences")

    tab.reload()
    expect(heading(tab)).to_have_text("Notifications")
    settled(tab)
    structure = main.locator("fieldset.prefs").filter(has_text=name).first
    expect(
        structure.get_by_role("checkbox", name=re.compile("^Tous les changements"))
    ).not_to_be_checked()
    expect(main.get_by_label("Activer les heures calmes")).to_be_checked()
    expect(main.get_by_label("Début")).to_have_value("21:30")
    expect(main.get_by_label("Fin")).to_have_value("07:15")
    expect(main.get_by_label("Laisser passer les notifications « Action requise »")).to_be_checked()
    settings = quiet_settings(live)
    assert (settings.quiet_start, settings.quiet_end) == (dt.time(21, 30), dt.time(7, 15))
    assert settings.quiet_bypass_action_required is True
    # A main manager's billing categories cannot be switched off: shown, not editable.
    locked = main.locator("fieldset.prefs input[disabled]")
    expect(locked.first).to_be_checked()  # the demo user is one structure's main manager
    expect(locked.first).to_have_attribute("aria-describedby", re.compile("^verrou-"))
    # Quiet hours off again: the times are hidden.
    main.get_by_label("Activer les heures calmes").uncheck()
    expect(main.get_by_label("Début")).to_be_hidden()
    main.get_by_role("button", name="Enregistrer les préférences").click()
    expect(main.get_by_role("status").filter(has_text="Préférences enregistrées.")).to_be_visible()
    assert quiet_settings(live).quiet_start is None


def test_without_web_push_the_screen_says_how_the_inbox_refreshes(tab: Any) -> None:
    device = tab.locator("main section").filter(
        has=tab.get_by_role("heading", name="Sur cet appareil")
    )
    expect(device).to_contain_text("toutes les 30 secondes")
    expect(device.get_by_role("button")).to_have_count(0)  # no pretend push


def test_the_inbox_is_polled_every_30_seconds_with_304s(
    live: LiveApp, context: Any, tab: Any
) -> None:
    page = context.new_page()
    page.clock.install()  # the page's timers on a clock the test moves
    try:
        sign_in(page, live)  # a new tab: a session of its own (sessionStorage)
        settled(page)
        page.wait_for_load_state("networkidle")
        mark = live.hits.mark()
        for _ in range(3):
            # 30 s on the page's clock: one read of the inbox each time.
            # (Up to 30 s of real time for the answer: once, on a machine saturated by a
            # benchmark beside the suite, none came within 15 s.)
            with page.expect_response(
                lambda r: "/api/v1/notifications?" in r.url and r.status != 401, timeout=30_000
            ):
                page.clock.run_for(30_000)
        page.wait_for_load_state("networkidle")
        # (A 401 is the 8 s access token expiring: refreshed, then asked again.)
        polled = [h for h in live.hits.since(mark) if h.path == FIRST_PAGE and h.status != 401]
        assert len(polled) >= 3, polled
        # Nothing new: each read is a revalidation answered 304, no body sent again.
        assert statuses(polled, "GET", FIRST_PAGE) == {304: len(polled)}, polled
        assert all("limit=25" in h.query for h in polled)
        # Hidden (another tab, the phone locked), the app reads nothing.
        page.evaluate(
            """() => {
                Object.defineProperty(document, 'visibilityState',
                                      {value: 'hidden', configurable: true});
                document.dispatchEvent(new Event('visibilitychange'));
            }"""
        )
        mark = live.hits.mark()
        page.clock.run_for(90_000)
        page.wait_for_load_state("networkidle")
        assert [h for h in live.hits.since(mark) if h.path == FIRST_PAGE] == []
    finally:
        page.close()


def worker_registration(session: Any, scope: str) -> str:
    """The service worker registration's id of `scope`, from the DevTools protocol."""
    found: list[dict[str, Any]] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.extend(event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    for _ in range(50):
        live = [r for r in found if r["scopeURL"] == scope and not r["isDeleted"]]
        if live:
            return str(live[0]["registrationId"])
        session.send("Runtime.evaluate", {"expression": "1"})  # let the events arrive
    raise AssertionError(f"no registration for {scope}: {found}")


def test_the_worker_shows_an_fcm_web_push_and_its_click_opens_the_invoice(
    live: LiveApp, context: Any, tab: Any
) -> None:
    tab.goto(live.url("/app/#/notifications"))
    settled(tab)
    invoice_id, number = reject_in_the_portal_and_sync(live)
    note_id = newest_notification(live, invoice_id).id
    # What FCM hands a web-push subscription for the message notifications/firebase.py builds.
    payload = {
        "from": "1234567890",
        "fcmMessageId": "a1b2c3",
        "priority": "high",
        "notification": {
            "title": f"Facture {number} : Rejetée",
            "body": "Mairie. Corrigez le code service et renvoyez la facture.",
            "tag": f"invoice-{invoice_id}",
        },
        "data": {
            "notification_id": str(note_id),
            "invoice_id": str(invoice_id),
            "status": "REJETEE",
            "link": f"/app/#/factures/{invoice_id}",
        },
    }
    session = context.new_cdp_session(tab)
    registration = worker_registration(session, live.url("/app/"))
    # The worker tells the open windows once it has shown the notification.
    tab.evaluate(
        """() => { window.pushShown = new Promise((resolve) => navigator.serviceWorker
            .addEventListener('message', (e) => e.data.type === 'push' && resolve(true))); }"""
    )
    mark = live.hits.mark()
    session.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live.base, "registrationId": registration, "data": json.dumps(payload)},
    )
    assert tab.evaluate("() => window.pushShown") is True
    shown = tab.evaluate(
        """async () => (await (await navigator.serviceWorker.ready).getNotifications())
            .map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data, lang: n.lang}))"""
    )
    assert shown == [
        {
            "title": f"Facture {number} : Rejetée",
            "body": "Mairie. Corrigez le code service et renvoyez la facture.",
            "tag": f"invoice-{invoice_id}",
            "data": {"link": f"/app/#/factures/{invoice_id}?notification={note_id}"},
            "lang": "fr",
        }
    ]
    # The worker told the open window: its inbox was read at once, and shows the change.
    expect(tab.locator("main ul.notices > li").first).to_contain_text(f"Facture {number}")
    assert any(h.path == FIRST_PAGE for h in live.hits.since(mark))

    # A click on the notification (the worker's handler, as the system tray calls it).
    mark = live.hits.mark()
    worker = next(w for w in context.service_workers if w.url.endswith("/app/sw.js"))
    worker.evaluate(
        """async () => {
            const [shown] = await self.registration.getNotifications();
            await openFromNotification(shown);
            shown.close();
        }"""
    )
    expect(tab).to_have_url(re.compile(rf"#/factures/{invoice_id}\?notification={note_id}$"))
    expect(heading(tab)).to_have_text(re.compile(re.escape(number) + "$"))
    tab.wait_for_load_state("networkidle")
    reads = [
        (h.method, h.path, h.status) for h in live.hits.since(mark) if h.path.endswith("/read")
    ]
    assert ("POST", f"/api/v1/notifications/{note_id}/read", 204) in reads
    session.detach()


def test_the_vendored_firebase_sdk_loads_as_es_modules_from_the_app(tab: Any) -> None:
    kinds = tab.evaluate(
        """async () => {
            const app = await import('/app/vendor/firebase/firebase-app.js');
            const messaging = await import('/app/vendor/firebase/firebase-messaging.js');
            return [typeof app.initializeApp, typeof messaging.getToken,
                    typeof messaging.getMessaging, app.SDK_VERSION];
        }"""
    )
    assert kinds == ["function", "function", "function", "13.2.0"]


# With FIREBASE_WEB_CONFIG: the app's own code and the vendored Firebase JS SDK, for real, in
# the browser. What cannot be reached from here is answered in the browser's network layer,
# after the page's policy has let the requests out: Firebase's installations and FCM
# registration services (as they answer), and the browser's push service, which Debian's
# Chromium has none of (PushManager.subscribe gives a subscription such as Chrome's).
VAPID_KEY = (
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
)
WEB_CONFIG = {
    "apiKey": "AIzaSy-relais-test",
    "projectId": "relais-test",
    "messagingSenderId": "1234567890",
    "appId": "1:1234567890:web:0a1b2c3d",
    "vapidKey": VAPID_KEY,
}
FCM_TOKEN = "fcm-web-token-from-the-registrations-service"
PUSH_SERVICE = """
(() => {
  const key = (n) => new Uint8Array(n).map((_, i) => (i * 7 + 3) % 256).buffer;
  let current = null;
  PushManager.prototype.getSubscription = async function () { return current; };
  PushManager.prototype.subscribe = async function (options) {
    current = { endpoint: "https://fcm.googleapis.com/fcm/send/relais-test-endpoint",
                expirationTime: null, options,
                getKey: (name) => key(name === "auth" ? 16 : 65),
                unsubscribe: async () => { current = null; return true; } };
    return current;
  };
})();
"""


@pytest.fixture(scope="module")
def live_push(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    folder = tmp_path_factory.mktemp("app-web-push")
    with live_app(folder, firebase_web_config=json.dumps(WEB_CONFIG)) as served:
        yield served


def test_with_web_push_the_app_registers_this_browser_and_can_stop(
    browser: Any,  # noqa: F811 (the fixture imported above)
    live_push: LiveApp,
) -> None:
    made = browser.new_context(viewport=PHONE, locale="fr-FR", timezone_id="Europe/Paris")
    made.set_default_timeout(15_000)
    made.grant_permissions(["notifications"], origin=live_push.base)
    made.add_init_script(PUSH_SERVICE)
    firebase: list[tuple[str, str, Any]] = []

    def installations(route: Any) -> None:
        firebase.append(("installations", route.request.method, route.request.post_data_json))
        route.fulfill(json={
            "name": "projects/relais-test/installations/cAbCdEfGhIjKlMnOpQrStU",
            "fid": "cAbCdEfGhIjKlMnOpQrStU", "refreshToken": "refresh-1",
            "authToken": {"token": "fis-auth-1", "expiresIn": "604800s"},
        })  # fmt: skip

    def registrations(route: Any) -> None:
        body = route.request.post_data_json if route.request.method == "POST" else None
        firebase.append(("registrations", route.request.method, body))
        route.fulfill(json={"token": FCM_TOKEN} if route.request.method == "POST" else {})

    made.route("https://firebaseinstallations.googleapis.com/**", installations)
    made.route("https://fcmregistrations.googleapis.com/**", registrations)
    page = made.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # The browser allows notifications already: signing in registers it at once.
        mark = live_push.hits.mark()
        with page.expect_response(lambda r: r.url.endswith("/api/v1/devices") and r.ok):
            sign_in(page, live_push)
        # The SDK asked FCM for a token for this subscription, with Relais' VAPID key…
        posted = [body for name, method, body in firebase if name == "registrations"]
        assert len(posted) == 1 and posted[0]["web"]["applicationPubKey"] == VAPID_KEY
        assert posted[0]["web"]["endpoint"].endswith("/relais-test-endpoint")
        # …and the app registered that token at Relais as a web device.
        registered = [h for h in live_push.hits.since(mark) if h.path == "/api/v1/devices"]
        assert [(h.method, h.status) for h in registered if h.status != 401] == [("POST", 201)]
        with live_push.app.app_context():
            found = current_session().scalars(select(Device).where(Device.token == FCM_TOKEN)).one()
            assert (found.platform, found.active, found.locale) == ("web", True, "fr")
            assert found.time_zone == "Europe/Paris"
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.goto(live_push.url("/app/#/notifications"))
        settled(page)
        device = page.locator("main section").filter(
            has=page.get_by_role("heading", name="Sur cet appareil")
        )
        expect(device).to_contain_text("Cet appareil reçoit les notifications de Relais")
        screen(page, "notifications-web-push")

        device.get_by_role("button", name="Ne plus les recevoir sur cet appareil").click()
        expect(device).to_contain_text("Cet appareil ne reçoit plus les notifications.")
        with live_push.app.app_context():
            found = current_session().scalars(select(Device).where(Device.token == FCM_TOKEN)).one()
            assert found.active is False
        assert ("registrations", "DELETE", None) in firebase  # the token deleted at FCM too
        # The next start does not register again (the permission stays granted).
        mark = live_push.hits.mark()
        page.reload()
        settled(page)
        page.wait_for_load_state("networkidle")
        assert not [h for h in live_push.hits.since(mark) if h.path == "/api/v1/devices"]
        # Until the person asks again.
        device.get_by_role("button", name="Recevoir les notifications sur cet appareil").click()
        expect(device).to_contain_text("Cet appareil reçoit les notifications de Relais")
        with live_push.app.app_context():
            found = current_session().scalars(select(Device).where(Device.token == FCM_TOKEN)).one()
            assert found.active is True
    finally:
        made.close()
    assert not errors, errors
