"""The community site in a real Chromium (Playwright): the real app on loopback, a real SMTP
server, the site built by the rebuild job from the test database.

Screenshots of the key pages (1280×800 and 390×844) go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from flask import Flask
from werkzeug.serving import make_server

from backend import create_app
from backend.accounts.models import User
from backend.accounts.security import hash_password
from backend.config import Config
from backend.db import current_session
from backend.demo.announcements import seed_announcements
from backend.migrate import upgrade
from backend.site.build import last_built, rebuild_site_on_change
from backend.trainings.demo import seed_trainings
from tests.mail.smtp import Inbox, free_port, text_part

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "demo"
TRAINER = "formateur@relais.example"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"bureau": {"width": 1280, "height": 800}, "telephone": {"width": 390, "height": 844}}

sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright absent")
if not CHROMIUM.is_file():
    pytest.skip(
        "Chromium absent (/usr/bin/chromium) : tests navigateur non exécutés. "
        "En root, « make test » installe le paquet Debian « chromium ».",
        allow_module_level=True,
    )


@dataclass
class Live:
    base: str
    app: Flask
    config: Config
    inbox: Inbox

    def url(self, path: str) -> str:
        return self.base + path

    def trainings(self) -> list[dict[str, Any]]:
        return list(httpx.get(self.url("/api/v1/trainings"), timeout=10).json()["items"])

    def rebuild(self) -> None:
        with self.app.app_context():
            now = dt.datetime.now(dt.UTC)
            rebuild_site_on_change(current_session(), now, self.config)

    def mail_to(self, address: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.inbox.to(address)
            if found:
                return text_part(found[-1])
            time.sleep(0.1)
        raise AssertionError(f"aucun e-mail reçu pour {address}")


def _seed(app: Flask) -> None:
    """The demo trainer and admin, the demo schedule and announcements."""
    with app.app_context():
        session = current_session()
        password = hash_password(PASSWORD)
        for email, name, flags in (
            (TRAINER, "Julien Formateur", {"is_trainer": True}),
            ("admin@relais.example", "Sophie Administratrice", {"is_admin": True}),
        ):
            session.add(
                User(email=email, full_name=name, password_hash=password, is_demo=True, **flags)
            )
        session.flush()
        now = dt.datetime.now(dt.UTC)
        seed_trainings(session, now)
        seed_announcements(session, now)
        session.commit()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from aiosmtpd.controller import Controller

    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'relais.db'}"
    upgrade(url)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = Config(
        instance_path=str(folder / "instance"),
        database_url=url,
        demo_mode=True,
        public_base_url=base,
        site_dir=str(folder / "site"),
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        signup_min_seconds=1.0,
        signup_rate_limit="1000 per hour",
    ).resolved()
    app = create_app(config)
    _seed(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = Live(base, app, config, inbox)
    state.rebuild()
    assert last_built(config), "le site n'a pas été construit"
    yield state
    server.shutdown()
    thread.join(timeout=5)
    smtp.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport=VIEWPORTS["bureau"], locale="fr-FR", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, errors


# An assertion waits up to 10 s for the page to agree (Playwright's default is 5 s): on two
# cores shared by two test workers and Chromium, a sign-in (argon2 on purpose) followed by
# the next screen's requests took longer than 5 s once.
sync_api.expect.set_options(timeout=10_000)


def expect(locator: Any) -> Any:
    return sync_api.expect(locator)


def shoot(tab: Any, name: str) -> None:
    """Screenshots of the page as it stands, on a desktop and on a phone."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        tab.set_viewport_size(viewport)
        assert fits_width(tab), f"{name}: la page déborde en largeur ({device})"
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)
    tab.set_viewport_size(VIEWPORTS["bureau"])


def fits_width(tab: Any) -> bool:
    """No sideways scrolling of the whole page (wide tables scroll in their own box)."""
    return bool(tab.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def axe_violations(tab: Any) -> list[str]:
    """Every violation of axe-core's RGAA rules on the page as it stands: its rule, impact
    and first three places."""
    if not tab.evaluate("() => typeof axe !== 'undefined'"):
        # The pages' policy refuses inline scripts: axe comes as a file of the site's origin.
        url = urljoin(tab.url, "/__tests__/axe.min.js")
        tab.route(url, lambda route: route.fulfill(path=str(AXE)))
        tab.add_script_tag(url=url)
    report = tab.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['RGAAv4']}})")
    return [
        f"{violation['id']} ({violation['impact']}) {[n['target'] for n in violation['nodes'][:3]]}"
        for violation in report["violations"]
    ]


def axe_problems(tab: Any) -> list[str]:
    """Serious and critical violations of axe-core's RGAA rules on the page as it stands."""
    return [v for v in axe_violations(tab) if "(serious)" in v or "(critical)" in v]


def test_home_navigation_and_search(live: Live, page: Any) -> None:
    page.goto(live.url("/"))
    expect(page).to_have_title(re.compile("Relais"))
    page.get_by_role("link", name="Tutoriels", exact=True).first.click()
    expect(page.locator("h1")).to_contain_text("Tutoriels")
    for word, expected in (
        ("SIRET", "tutoriels/modifier-son-siret/"),
        ("recycler", "statuts/"),
        ("rejetée", "statuts/"),
    ):
        search = page.locator("input.md-search__input")
        search.click()
        search.fill(word)
        search.press("End")  # Material reads the query on key events
        found = page.locator(f".md-search-result__item a[href*='{expected}']")
        expect(found.first).to_be_attached()
        search.fill("")


def test_maintenance_banner(live: Live, page: Any) -> None:
    page.goto(live.url("/"))
    banner = page.locator(".md-banner [data-relais-maintenance]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Maintenance")
    expect(banner).to_contain_text("Mise en production d'une nouvelle version")
    # The bar holds the notices only: the not-official-site notice is in every page's footer.
    expect(page.locator(".md-footer")).to_contain_text("pas le site officiel")


def _open_session(live: Live, page: Any, *, full: bool) -> dict[str, Any]:
    """From the catalogue to the session page of a session with seats (or a full one)."""
    trainings = [t for t in live.trainings() if t["registration_open"]]
    chosen = next(t for t in trainings if (t["seats_left"] == 0) == full)
    page.goto(live.url("/formations/calendrier/"))
    expect(page.locator("#relais-catalogue[data-live='oui']")).to_be_attached()
    label = "Rejoindre la liste d'attente" if full else "S'inscrire"
    card = page.locator(f".relais-session[data-training-id='{chosen['id']}']")
    card.get_by_role("link", name=re.compile(label)).click()
    expect(page.locator("h1")).to_have_text(chosen["title"])
    return chosen


def _fill(page: Any, name: str, email: str, siret: str = "73282932000074") -> None:
    page.get_by_label("Nom et prénom").fill(name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Structure (entreprise ou entité publique)").fill("Menuiserie Dupuis")
    page.get_by_label("Numéro SIRET (facultatif)").fill(siret)
    page.get_by_label(re.compile("J'accepte que Relais")).check()


def _confirm_from_mail(live: Live, page: Any, email: str) -> None:
    body = live.mail_to(email)
    link = re.search(r"https?://\S+/formations/inscription/confirmer/\?jeton=\S+", body)
    assert link, body
    assert link.group(0).startswith(live.base)
    page.goto(link.group(0))
    # « Confirmer mon inscription », or « … ma place sur la liste d'attente » for the queue.
    page.get_by_role("button", name=re.compile("^Confirmer m")).click()


def test_signup_through_the_form_to_the_confirm_link(live: Live, page: Any) -> None:
    _open_session(live, page, full=False)
    page.get_by_role("button", name="Envoyer mon inscription").click()
    name_field = page.get_by_label("Nom et prénom")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#erreur-full_name")).to_have_text("Indiquez votre nom et votre prénom.")
    assert "erreur-full_name" in (name_field.get_attribute("aria-describedby") or "")
    _fill(page, "Camille Dupuis", "camille.dupuis@exemple.fr", siret="12345678900011")
    page.get_by_role("button", name="Envoyer mon inscription").click()  # 422 from the API
    siret = page.get_by_label("Numéro SIRET (facultatif)")
    expect(siret).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#erreur-siret")).to_be_visible()
    expect(page.locator("#inscription-resultat")).to_contain_text("corrigez les champs")
    siret.fill("73282932000074")
    page.get_by_role("button", name="Envoyer mon inscription").click()
    expect(page.locator("#inscription-resultat")).to_contain_text("Vérifiez votre boîte e-mail")
    _confirm_from_mail(live, page, "camille.dupuis@exemple.fr")
    result = page.locator("[data-lien-resultat]")
    expect(result).to_contain_text(re.compile("inscription confirmée", re.IGNORECASE))


def test_a_click_before_the_form_token_arrives_stays_on_the_page(live: Live, page: Any) -> None:
    """The form shows before its anti-spam token arrives: a click then must not submit it
    natively (a GET that would put name and e-mail in the address)."""
    held: list[Any] = []
    page.route("**/api/v1/forms/token", lambda route: held.append(route))  # held until released
    chosen = _open_session(live, page, full=False)
    page.get_by_label("Nom et prénom").fill("Camille Dupuis")
    page.get_by_role("button", name="Envoyer mon inscription").click()
    assert held, "the token was not asked for"
    assert f"id={chosen['id']}" in page.url and "full_name" not in page.url
    held[0].continue_()
    expect(page.get_by_label("Adresse e-mail")).to_have_attribute("aria-invalid", "true")
    assert f"id={chosen['id']}" in page.url and "full_name" not in page.url


def test_waiting_list_when_full(live: Live, page: Any) -> None:
    chosen = _open_session(live, page, full=True)
    expect(page.locator("#session-places")).to_contain_text("liste d'attente")
    _fill(page, "Hugo Martin", "hugo.martin@exemple.fr")
    page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(page.locator("#inscription-resultat")).to_contain_text("liste d'attente")
    _confirm_from_mail(live, page, "hugo.martin@exemple.fr")
    expect(page.locator("[data-lien-resultat]")).to_contain_text("liste d'attente")
    expect(page.locator("[data-lien-resultat]")).to_contain_text("Votre rang")
    shoot(page, "inscription-confirmee")
    assert chosen["seats_left"] == 0


def _login(live: Live, page: Any, email: str = TRAINER) -> None:
    page.goto(live.url("/espace-formateurs/"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes sessions")).to_be_visible()


def test_trainer_publishes_a_session_that_reaches_the_catalogue(live: Live, page: Any) -> None:
    title = "Webinaire d'essai : déposer une facture de travaux"
    day = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    _login(live, page)
    page.get_by_role("link", name="Créer une session").click()
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Fournisseurs de travaux").check()
    page.get_by_label("Nombre de places").fill("25")
    page.get_by_label("Date de la séance 1").fill(day)
    page.get_by_label("Début de la séance 1").fill("10:00")
    page.get_by_label("Fin de la séance 1").fill("09:00")
    page.get_by_role("button", name="Créer la session (brouillon)").click()
    expect(page.locator("#erreur-part1_end")).to_contain_text("doit suivre")
    page.get_by_label("Fin de la séance 1").fill("11:30")
    page.get_by_role("button", name="Créer la session (brouillon)").click()
    expect(page.locator("[data-fm-message]")).to_contain_text("Session créée en brouillon")
    assert not axe_problems(page)
    shoot(page, "formateurs-session")
    page.get_by_role("button", name="Publier la session").click()
    expect(page.locator("[data-fm-message]")).to_contain_text("publiée")

    page.goto(live.url("/formations/calendrier/"))
    expect(page.locator("#relais-catalogue")).to_contain_text(title)  # live refresh

    static = httpx.get(live.url("/formations/calendrier/"), timeout=10).text
    assert title not in static.replace("&#x27;", "'").replace("&#39;", "'")
    before = last_built(live.config)
    live.rebuild()  # the scheduler job: the data changed, so the site is built again
    assert last_built(live.config) != before
    static = httpx.get(live.url("/formations/calendrier/"), timeout=10).text
    assert title in static.replace("&#x27;", "'").replace("&#39;", "'")

    page.goto(live.url("/espace-formateurs/"))
    page.get_by_role("button", name=f"Annuler la session « {title} »").click()
    dialog = page.locator("dialog.relais-dialog")
    expect(dialog).to_contain_text("Cette action est définitive")
    dialog.get_by_role("button", name="Oui, annuler la session").click()
    expect(page.locator("[data-fm-message]")).to_contain_text("annulée")
    page.goto(live.url("/formations/calendrier/"))
    expect(page.locator("#relais-catalogue[data-live='oui']")).not_to_contain_text(title)


def test_newsletter_subscription_confirmed_from_the_email(live: Live, page: Any) -> None:
    page.goto(live.url("/lettre-d-information/"))
    page.get_by_label("Adresse e-mail").fill("lea.petit@exemple.fr")
    page.get_by_label(re.compile("J'accepte de recevoir")).check()
    page.get_by_role("button", name="M'abonner").click()
    expect(page.locator("#lettre-resultat")).to_contain_text("Vérifiez votre boîte e-mail")
    body = live.mail_to("lea.petit@exemple.fr")
    link = re.search(r"https?://\S+/lettre-d-information/confirmer/\?jeton=\S+", body)
    assert link, body
    page.goto(link.group(0))
    page.get_by_role("button", name="Confirmer mon abonnement").click()
    expect(page.locator("[data-lien-resultat]")).to_contain_text("Abonnement confirmé")


def test_trainer_sees_participants_marks_attendance_and_exports(live: Live, page: Any) -> None:
    _login(live, page)
    page.get_by_role("link", name=re.compile("^Participants")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Inscrits confirmés"))).to_be_visible()
    box = page.locator("[data-presence]").first
    expect(box).to_be_disabled()  # from the session's start (test_browser_people.py marks it)
    expect(page.locator("#presence-aide")).to_contain_text("à partir du début de la session")
    assert not axe_problems(page)
    shoot(page, "formateurs-participants")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter la liste (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.locator("[data-desinscrire]").first.click()
    dialog = page.locator("dialog.relais-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Désinscrire")
    dialog.get_by_role("button", name="Non, revenir").click()
    expect(dialog).to_have_count(0)


def test_admin_publishes_an_announcement_shown_in_the_banner(live: Live, page: Any) -> None:
    title = "Dépôt des factures momentanément indisponible"
    _login(live, page, "admin@relais.example")
    page.get_by_role("link", name="Annonces", exact=True).click()
    form = page.locator("#form-annonce")
    form.get_by_label("Catégorie").select_option("incident")
    form.get_by_label("Titre").fill(title)
    form.get_by_label("Texte").fill("Le dépôt reprendra dans l'après-midi.")
    page.get_by_role("button", name="Publier l'annonce").click()
    expect(page.locator("[data-fm-message]")).to_contain_text("publiée")

    page.goto(live.url("/"))
    banner = page.locator(".md-banner [data-relais-maintenance]")
    expect(banner).to_contain_text(title)  # refreshed live from the API
    expect(banner).to_contain_text("Incident")

    page.goto(live.url("/espace-formateurs/annonces/"))
    page.get_by_role("button", name=f"Retirer « {title} »").click()
    dialog = page.locator("dialog.relais-dialog")
    dialog.get_by_role("button", name="Oui, retirer l'annonce").click()
    expect(page.locator("[data-fm-message]")).to_contain_text("retirée")


KEY_PAGES = {
    "accueil": "/",
    "tutoriel": "/tutoriels/creer-un-compte/",
    "statuts": "/statuts/",
    "calendrier": "/formations/calendrier/",
    "session": "/formations/session/?id={id}",
    "formateurs-connexion": "/espace-formateurs/",
    "confidentialite": "/confidentialite/",
}
READY = {
    "accueil": ".md-banner [data-relais-maintenance]",
    "tutoriel": ".md-banner",
    "statuts": ".md-typeset__scrollwrap[tabindex='0']",
    "calendrier": "#relais-catalogue[data-live='oui']",
    "session": "#session-detail:not([hidden])",
    "formateurs-connexion": "#form-connexion",
    "confidentialite": "#droits",
}


@pytest.mark.parametrize("name", list(KEY_PAGES))
def test_key_pages_accessible_and_screenshots(live: Live, browser: Any, name: str) -> None:
    """axe-core RGAA rules: no serious or critical violation, on a desktop and a phone."""
    session_id = live.trainings()[0]["id"]
    path = KEY_PAGES[name].format(id=session_id)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, locale="fr-FR")
        tab = context.new_page()
        tab.goto(live.url(path))
        tab.locator(READY[name]).first.wait_for()  # the live parts have drawn themselves
        problems += [f"{device}: {problem}" for problem in axe_problems(tab)]
        if not fits_width(tab):
            problems.append(f"{device}: la page déborde en largeur")
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)


def test_screenshots_folder_is_ignored_by_git() -> None:
    assert shutil.which("git") is None or "test-artifacts/" in (ROOT / ".gitignore").read_text()


CSP_REPORTER = """document.addEventListener('securitypolicyviolation', (e) =>
  window.relaisCspViolation(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


def _console_problem(message: Any) -> list[str]:
    """Errors and warnings, but a missing file: Material asks for a sitemap.xml beside the
    RSS feed's alternate link, and a browser for /favicon.ico on Swagger UI's page."""
    if message.type not in ("error", "warning") or message.text.startswith("Failed to load"):
        return []
    return [f"{message.type}: {message.text}"]


def test_pages_live_with_the_content_security_policy(live: Live, page: Any) -> None:
    """The site, its sign-up and trainers' scripts and Swagger UI run under the policy:
    no violation, no console error, and each page does its job."""
    problems: list[str] = []
    page.expose_function("relaisCspViolation", lambda text: problems.append(f"CSP: {text}"))
    page.add_init_script(CSP_REPORTER)
    page.on("console", lambda message: problems.extend(_console_problem(message)))
    home = page.goto(live.url("/"))
    assert "'sha256-" in home.headers["content-security-policy"]
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("SIRET")
    search.press("End")  # the search worker loads lunr's French stemmer and the index
    expect(page.locator(".md-search-result__item").first).to_be_attached()

    session_id = live.trainings()[0]["id"]
    page.goto(live.url(f"/formations/session/?id={session_id}"))
    expect(page.locator("#session-detail")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()

    _login(live, page)  # the trainers' space draws itself from the API

    docs = page.goto(live.url("/api/docs"))
    assert "'sha256-" in docs.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()  # Swagger UI's operations
    assert page.evaluate("() => window.ui.getConfigs().validatorUrl") is None
    assert not problems, "\n".join(problems)
