"""The trainers' space on a phone and the sign-up pages' texts per state, in a real Chromium
against the real app (the fixtures of test_browser.py). Screenshots at both sizes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.accounts.models import User
from backend.db import db
from backend.trainings import emails, seats
from backend.trainings.settings import TrainingSettings
from tests.site.test_browser import (
    PASSWORD,
    SCREENSHOTS,
    TRAINER,
    VIEWPORTS,
    Live,
    axe_problems,
    browser,
    expect,
    fits_width,
    live,
)
from tests.trainings.conftest import make_training

__all__ = ["browser", "live"]
pytestmark = [pytest.mark.browser, pytest.mark.nodb]
MIN_TARGET = 44


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A phone-sized browser context (390 × 844), checked for script errors."""
    context = browser.new_context(viewport=VIEWPORTS["telephone"], locale="fr-FR")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield context
    context.close()
    assert not errors, errors


def _shots(tab: Any, name: str) -> None:
    """Screenshots at both sizes, each once the page has settled within the width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in VIEWPORTS.items():
        tab.set_viewport_size(viewport)
        tab.wait_for_function(FITS, timeout=5_000)  # fails if it never fits
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{device}.png"), full_page=True)


FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _login(live: Live, tab: Any, email: str = TRAINER) -> None:
    tab.goto(live.url("/espace-formateurs/"))
    tab.get_by_label("Adresse e-mail").fill(email)
    tab.get_by_label("Mot de passe").fill(PASSWORD)
    tab.get_by_role("button", name="Se connecter").click()
    expect(tab.get_by_role("heading", name="Mes sessions")).to_be_visible()


def _small_targets(tab: Any, selector: str) -> list[str]:
    """Visible controls under 44 × 44 px, measured as laid out."""
    small = []
    for control in tab.locator(selector).all():
        if not control.is_visible():
            continue
        box = control.bounding_box()
        if box["width"] < MIN_TARGET or box["height"] < MIN_TARGET:
            small.append(f"{control.inner_text()[:40]!r} {box['width']:.0f}×{box['height']:.0f}")
    return small


CONTROLS = ", ".join(
    f"#relais-formateurs {what}"
    for what in ("button", "a.md-button", ".relais-fm-action", ".relais-fm-presence", "summary")
)


def _trainer_sessions(live: Live) -> list[dict[str, Any]]:
    """The trainer's sessions as the API lists them."""
    login = {"email": TRAINER, "password": PASSWORD}
    tokens = httpx.post(live.url("/api/v1/auth/login"), json=login, timeout=10).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    answer = httpx.get(live.url("/api/v1/trainer/trainings"), headers=headers, timeout=10)
    return list(answer.json()["items"])


def _upcoming(item: dict[str, Any]) -> bool:
    return dt.datetime.fromisoformat(item["starts_at"]) > dt.datetime.now(dt.UTC)


def _trainer(live: Live) -> User:
    return db.session.query(User).filter_by(email=TRAINER).one()


def _session_under_way(live: Live, title: str) -> int:
    """A session that started 10 minutes ago with one confirmed participant."""
    with live.app.app_context():
        training = make_training(_trainer(live).id, starts_in=dt.timedelta(days=2), title=title)
        settings = TrainingSettings.from_config(live.config)
        now = dt.datetime.now(dt.UTC)
        applicant = seats.Applicant("ines.roux@exemple.fr", "Inès Roux", "Roux Peinture")
        reg, _ = seats.sign_up(db.session, training.id, applicant, now=now, settings=settings)
        seats.confirm_email(db.session, reg.id, now=now)
        started = now - dt.timedelta(minutes=10)
        training.starts_at = training.parts[0].starts_at = started
        training.ends_at = training.parts[0].ends_at = started + dt.timedelta(minutes=90)
        db.session.commit()
        return training.id


def test_the_trainers_space_reads_on_a_phone(live: Live, phone: Any) -> None:
    """No sideways scrolling at 390 px, every target ≥ 44 px, the next session first, and the
    app's own dialog (focus inside, Escape closes it, focus back on its button)."""
    tab = phone.new_page()
    _login(live, tab)
    assert fits_width(tab), "la liste des sessions déborde en largeur"
    assert not _small_targets(tab, CONTROLS + ", #relais-formateurs [data-fm-barre] a")
    caption = tab.locator(".relais-fm-table caption").first
    expect(caption).to_have_text("Vos prochaines sessions, de la plus proche à la plus lointaine")
    rows = tab.locator(".relais-fm-table").first.locator("tbody tr")
    listed = _trainer_sessions(live)
    starts = [dt.datetime.fromisoformat(t["starts_at"]) for t in listed if _upcoming(t)]
    assert starts and starts == sorted(starts), (
        "les prochaines sessions d'abord, la plus proche en tête"
    )
    first = listed[0]
    expect(rows.first.locator("th")).to_have_text(first["title"])
    assert tab.locator(".relais-fm-table tbody tr").first.bounding_box()["width"] <= 390
    assert not axe_problems(tab)
    _shots(tab, "formateurs-sessions")

    opener = tab.get_by_role("button", name=re.compile("^Annuler la session")).first
    opener.click()
    dialog = tab.locator("dialog.relais-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Cette action est définitive")
    expect(dialog).to_contain_text(re.compile(r"Les \d+ personnes inscrites|La personne inscrite"))
    assert "(s)" not in dialog.inner_text()
    expect(dialog.get_by_role("button", name="Non, revenir")).to_be_focused()
    assert not _small_targets(tab, "dialog.relais-dialog button")
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "formateurs-dialogue-telephone.png"))
    tab.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()


def test_a_new_tab_stays_logged_in_and_logging_out_ends_every_tab(live: Live, phone: Any) -> None:
    first = phone.new_page()
    _login(live, first)
    link = first.get_by_role("link", name=re.compile("^Participants")).first
    other = phone.new_page()  # as « open in a new tab » does: same browser session
    other.goto(link.evaluate("a => a.href"))
    expect(other.get_by_role("heading", name=re.compile("Inscrits confirmés"))).to_be_visible()
    expect(other.locator("#form-connexion")).to_have_count(0)
    other.get_by_role("button", name="Se déconnecter").click()
    expect(other.locator("#form-connexion")).to_be_visible()
    expect(first.locator("#form-connexion")).to_be_visible()  # told by the storage event
    expect(first.locator("[data-fm-message]")).to_contain_text("déconnecté")
    assert first.evaluate("() => localStorage.getItem('relais.formateur')") is None


def test_attendance_waits_for_the_start_and_has_big_targets(live: Live, phone: Any) -> None:
    tab = phone.new_page()
    _login(live, tab)
    upcoming = next(t for t in _trainer_sessions(live) if t["confirmed"] and _upcoming(t))
    tab.goto(live.url(f"/espace-formateurs/participants/?id={upcoming['id']}"))
    box = tab.locator("[data-presence]").first
    expect(box).to_be_disabled()
    expect(tab.locator("#presence-aide")).to_contain_text(
        "La présence se note à partir du début de la session"
    )
    under_way = _session_under_way(live, "Session en cours : présences")
    tab.goto(live.url(f"/espace-formateurs/participants/?id={under_way}"))
    box = tab.locator("[data-presence]").first
    expect(box).to_be_enabled()
    assert fits_width(tab), "la liste des participants déborde en largeur"
    assert not _small_targets(tab, CONTROLS)
    assert box.bounding_box()["width"] >= 24
    tab.locator(".relais-fm-presence").first.click()
    expect(tab.locator("[data-fm-message]")).to_contain_text("Présence de Inès Roux enregistrée")
    expect(box).to_be_checked()
    assert not axe_problems(tab)
    _shots(tab, "formateurs-presences")


def test_the_session_form_reports_every_error_at_once(live: Live, phone: Any) -> None:
    tab = phone.new_page()
    _login(live, tab)
    tab.goto(live.url("/espace-formateurs/session/"))
    tab.get_by_label(re.compile("^Accompagnement individualisé")).check()
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    sooner = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    for n, day in ((1, later), (2, sooner)):
        tab.get_by_label(f"Date de la séance {n}").fill(day)
        tab.get_by_label(f"Début de la séance {n}").fill("10:00")
        tab.get_by_label(f"Fin de la séance {n}").fill("11:30")
    tab.get_by_label("Lien de la classe virtuelle").fill("http://visio.example/salle")
    tab.get_by_role("button", name="Créer la session (brouillon)").click()
    expect(tab.locator("#erreur-title")).to_contain_text("au moins 3 caractères")
    expect(tab.locator("#erreur-visio_url")).to_contain_text("https://")
    expect(tab.locator("#erreur-part2_start")).to_contain_text("datée avant la séance 1")
    expect(tab.get_by_label("Titre")).to_be_focused()
    assert fits_width(tab)
    _shots(tab, "formateurs-formulaire-erreurs")


# --- sign-up pages: one sentence per state ---------------------------------------------------


def _link(live: Live, training_id: int, email: str, purpose: str) -> str:
    """A sign-up made through the seat rules, and the link its e-mail would carry."""
    with live.app.app_context():
        settings = TrainingSettings.from_config(live.config)
        applicant = seats.Applicant(email, "Chloé Moreau", "Moreau Menuiserie")
        now = dt.datetime.now(dt.UTC)
        reg, _ = seats.sign_up(db.session, training_id, applicant, now=now, settings=settings)
        db.session.commit()
        make = emails.confirm_url if purpose == "confirm" else emails.cancel_url
        return make(settings, reg).replace(settings.public_base_url, live.base)


def _full_session(live: Live) -> dict[str, Any]:
    return next(t for t in live.trainings() if t["registration_open"] and t["seats_left"] == 0)


def test_confirming_a_waiting_list_place_never_says_inscription_confirmee(
    live: Live, browser: Any
) -> None:
    full = _full_session(live)
    context = browser.new_context(viewport=VIEWPORTS["bureau"], locale="fr-FR")
    tab = context.new_page()
    tab.goto(_link(live, full["id"], "chloe.attente@exemple.fr", "confirm"))
    state = tab.locator("[data-lien-etat]")
    expect(state).to_have_text(
        "La session est complète\u00a0: cliquez sur le bouton pour confirmer votre place sur "
        "sa liste d'attente."
    )
    tab.get_by_role("button", name="Confirmer ma place sur la liste d'attente").click()
    result = tab.locator("[data-lien-resultat]")
    expect(result).to_contain_text("Votre place sur la liste d'attente est confirmée. Votre rang")
    assert "Inscription confirmée" not in tab.locator(".relais-lien").inner_text()
    _shots(tab, "lien-liste-attente")
    tab.goto(tab.url)  # the same link again: said once, without a button
    expect(state).to_contain_text("Votre place sur la liste d'attente est confirmée")
    expect(tab.locator("[data-lien-bouton]")).to_be_hidden()
    context.close()


def test_a_confirmed_seat_offers_the_calendar_and_a_cancellation_says_what_is_left(
    live: Live, browser: Any
) -> None:
    open_ = next(t for t in live.trainings() if t["registration_open"] and t["seats_left"] > 1)
    context = browser.new_context(viewport=VIEWPORTS["telephone"], locale="fr-FR")
    tab = context.new_page()
    tab.goto(_link(live, open_["id"], "chloe.place@exemple.fr", "confirm"))
    tab.get_by_role("button", name="Confirmer mon inscription").click()
    result = tab.locator("[data-lien-resultat]")
    expect(result).to_have_text(
        "Inscription confirmée\u00a0: l'invitation pour votre agenda et le lien de la classe "
        "virtuelle vous ont été envoyés par e-mail."
    )
    agenda = tab.get_by_role("link", name="Ajouter à mon agenda")
    ics = httpx.get(live.url(agenda.get_attribute("href") or ""), timeout=10)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert fits_width(tab)
    _shots(tab, "lien-inscription-confirmee")

    tab.goto(_link(live, open_["id"], "chloe.place@exemple.fr", "cancel"))
    tab.get_by_role("button", name="Annuler mon inscription").click()
    expect(result).to_have_text("Votre inscription est annulée.")
    left = live.trainings()
    seats_left = next(t for t in left if t["id"] == open_["id"])["seats_left"]
    expect(tab.locator("[data-lien-suite]")).to_contain_text(
        f"Il reste {seats_left} places\u00a0: vous pouvez vous réinscrire"
    )
    _shots(tab, "lien-inscription-annulee")
    context.close()


def test_the_newsletter_confirmation_says_it_once(live: Live, browser: Any) -> None:
    context = browser.new_context(viewport=VIEWPORTS["bureau"], locale="fr-FR")
    tab = context.new_page()
    tab.goto(live.url("/lettre-d-information/"))
    tab.get_by_label("Adresse e-mail").fill("lea.unique@exemple.fr")
    tab.get_by_label(re.compile("J'accepte de recevoir")).check()
    tab.get_by_role("button", name="M'abonner").click()
    expect(tab.locator("#lettre-resultat")).to_contain_text("Vérifiez votre boîte e-mail")
    link = re.search(r"https?://\S+/lettre-d-information/confirmer/\?jeton=\S+",
                     live.mail_to("lea.unique@exemple.fr"))  # fmt: skip
    assert link
    tab.goto(link.group(0))
    tab.get_by_role("button", name="Confirmer mon abonnement").click()
    result = tab.locator("[data-lien-resultat]")
    expect(result).to_have_text(
        "Abonnement confirmé\u00a0: vous recevrez la prochaine lettre d'information à cette "
        "adresse."
    )
    _shots(tab, "lettre-abonnement-confirme")
    context.close()


def test_a_session_page_words_the_waiting_list(live: Live, browser: Any) -> None:
    full = _full_session(live)
    context = browser.new_context(viewport=VIEWPORTS["telephone"], locale="fr-FR")
    tab = context.new_page()
    tab.goto(live.url(f"/formations/session/?id={full['id']}"))
    expect(tab.locator("#inscription-aide")).to_contain_text(
        "pour confirmer votre place sur la liste d'attente."
    )
    expect(tab.locator("#session-places")).to_have_text(
        "Session complète\u00a0: vous pouvez vous inscrire sur la liste d'attente."
    )
    context.close()
