"""A new supplier's whole journey in the app, in a real Chromium against the real app on
loopback, once on a phone (390×844) and once on a desktop (1280×800):

sign up → the e-mailed link from the outbox (a loopback SMTP server) → sign in → add the
portal sandbox's unclaimed supplier → its invoices arrive through the scheduler's sync → an
invoice rejected in the portal comes in with the next sync → the Synthèse shows it and opens
it (history with both codes) → its notification in the inbox (the count on the navigation),
opened → quiet hours set and read back. axe-core on every screen (light and dark), no
sideways scroll; screenshots `app-parcours-*.png`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from backend.accounts.models import User
from backend.db import current_session
from backend.push.models import Notification, NotificationSettings
from tests.mail.smtp import Inbox
from tests.site.test_browser import VIEWPORTS, expect
from tests.webapp.live import LiveApp, live_app
from tests.webapp.screens import checked, heading, mail_to, settled, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.nodb]

NAME, EMAIL = "Inès Morel", "ines.morel@exemple.fr"
PASSWORD = "hirondelle basilic tambourin 9"


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def live(tmp_path_factory: pytest.TempPathFactory, inbox: Inbox) -> Iterator[LiveApp]:
    with live_app(
        tmp_path_factory.mktemp("parcours"), inbox=inbox, site=True, scheduler=True
    ) as served:
        yield served


def go_to(tab: Any, screen: str) -> None:
    """A screen of the main navigation (a bottom bar on a phone, a side bar on a desktop)."""
    nav = tab.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name=re.compile(f"^{screen}")).click()
    expect(heading(tab)).to_have_text(screen)
    settled(tab)


@pytest.mark.parametrize("device", ["telephone", "bureau"])
def test_sign_up_to_a_rejected_invoice_and_quiet_hours(
    live: LiveApp,
    inbox: Inbox,
    browser: Any,
    device: str,
) -> None:
    context = browser.new_context(
        viewport=VIEWPORTS[device], locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        _journey(live, inbox, tab, device)
    finally:
        context.close()
    assert not errors, errors


def _journey(live: LiveApp, inbox: Inbox, tab: Any, device: str) -> None:
    main = tab.locator("main")
    # Sign up.
    tab.goto(live.url("/app/"))
    expect(heading(tab)).to_have_text("Se connecter")
    checked(tab, "parcours-connexion", (device,))
    tab.get_by_role("link", name="Créer un compte").click()
    expect(heading(tab)).to_have_text("Créer un compte")
    tab.get_by_label("Nom et prénom").fill(NAME)
    tab.get_by_label("Adresse e-mail").fill(EMAIL)
    tab.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    expect(main.locator(".verdict")).to_have_text("Mot de passe accepté.")
    checked(tab, "parcours-inscription", (device,))
    tab.get_by_role("button", name="Créer mon compte").click()
    expect(heading(tab)).to_have_text("Vérifiez votre boîte de réception")
    checked(tab, "parcours-inscription-envoyee", (device,))

    # The e-mailed link, then the app.
    tab.goto(mail_to(inbox, EMAIL, "/compte/confirmer/"))
    tab.get_by_role("button", name="Activer mon compte").click()
    expect(tab.locator("[data-compte-resultat]")).to_contain_text("Compte activé")
    tab.get_by_role("link", name="Ouvrir l'application Relais").click()
    sign_in(tab, live, EMAIL, PASSWORD)
    expect(main).to_contain_text("Aucune structure n'est rattachée à votre compte.")
    checked(tab, "parcours-synthese-vide", (device,))

    # The sandbox's structure, with its technical account.
    main.get_by_role("link", name="Ajouter une structure").click()
    expect(heading(tab)).to_have_text("Ajouter une structure")
    free = live.sandbox.cases()["unclaimed"]
    tab.get_by_label("SIRET de la structure").fill(free["siret"])
    tab.get_by_label("Identifiant du compte technique").fill(free["login"])
    tab.get_by_label("Mot de passe du compte technique", exact=True).fill(free["password"])
    checked(tab, "parcours-structure-ajout", (device,))
    tab.get_by_role("button", name="Vérifier et ajouter").click()
    expect(heading(tab)).to_have_text("Synchronisation")
    found = re.search(r"#/structures/(\d+)/synchronisation$", tab.url)
    assert found
    structure_id = int(found.group(1))

    # The scheduler's sync brings its invoices.
    expect(main.get_by_role("link", name="Voir ses factures")).to_be_visible(timeout=60_000)
    expect(main.locator(".figure")).to_have_text(re.compile(r"^\d+ factures reprises$"))
    stored = int(main.locator(".figure").inner_text().split()[0])
    assert stored > 0
    checked(tab, "parcours-synchronisation-terminee", (device,))
    main.get_by_role("link", name="Voir ses factures").click()
    expect(heading(tab)).to_have_text("Factures")
    settled(tab)
    expect(main.locator(".toolbar [role=status]")).to_have_text(f"{stored} factures")
    checked(tab, "parcours-factures", (device,))

    # The portal rejects one; the next sync brings it in.
    invoice_id, number = live.reject(structure_id)
    go_to(tab, "Synthèse")
    line = main.locator(f"a.invoice-link[href='#/factures/{invoice_id}']").first
    expect(line).to_contain_text(f"Facture {number}")
    expect(line).to_contain_text("Motif : Code service absent.")
    checked(tab, "parcours-synthese", (device,))
    line.click()
    expect(heading(tab)).to_have_text(re.compile(re.escape(number) + "$"))
    settled(tab)
    history = main.get_by_role("list", name="Historique des statuts, du plus récent au plus ancien")
    newest = history.locator("li").first
    expect(newest).to_contain_text("Rejetée")
    expect(newest).to_contain_text("Code du portail : REJETEE")
    checked(tab, "parcours-detail-rejetee", (device,))

    # Its notification in the inbox, with the count on the navigation; opened, it is read.
    assert _notification(live, invoice_id).read_at is None
    tab.evaluate("() => window.dispatchEvent(new Event('focus'))")  # back to the app
    nav = tab.get_by_role("navigation", name="Navigation principale")
    count = nav.get_by_role("link", name=re.compile("^Notifications")).locator(".count")
    # (The same sync may bring other changes the portal made meanwhile: all are counted.)
    unread = _unread(live)
    assert unread >= 1
    expect(count).to_have_text(f"{unread} non lue" + ("s" if unread > 1 else ""))
    go_to(tab, "Notifications")
    notice = main.locator(f"ul.notices > li a.notice[href='#/factures/{invoice_id}']")
    expect(notice).to_contain_text(f"Facture {number} : Rejetée")
    expect(notice).to_have_class(re.compile(r"\bunread\b"))
    checked(tab, "parcours-notifications", (device,))
    notice.click()
    expect(heading(tab)).to_have_text(re.compile(re.escape(number) + "$"))
    assert _notification(live, invoice_id).read_at is not None

    # Quiet hours, saved and read back.
    go_to(tab, "Notifications")
    main.get_by_role("button", name="Aller aux préférences et aux heures calmes").click()
    main.get_by_label("Activer les heures calmes").check()
    main.get_by_label("Début").fill("22:00")
    main.get_by_label("Fin").fill("07:00")
    main.get_by_role("button", name="Enregistrer les préférences").click()
    expect(main.get_by_role("status").filter(has_text="Préférences enregistrées.")).to_be_visible()
    checked(tab, "parcours-heures-calmes", (device,))
    tab.reload()
    expect(heading(tab)).to_have_text("Notifications")
    settled(tab)
    expect(main.get_by_label("Activer les heures calmes")).to_be_checked()
    expect(main.get_by_label("Début")).to_have_value("22:00")
    expect(main.get_by_label("Fin")).to_have_value("07:00")
    settings = _settings(live)
    assert (settings.quiet_start, settings.quiet_end) == (dt.time(22, 0), dt.time(7, 0))


def _notification(live: LiveApp, invoice_id: int) -> Notification:
    with live.app.app_context():
        session = current_session()
        note = session.scalars(
            select(Notification).join(User, User.id == Notification.user_id)
            .where(User.email == EMAIL, Notification.invoice_id == invoice_id)
        ).one()  # fmt: skip
        session.expunge(note)
        return note


def _unread(live: LiveApp) -> int:
    with live.app.app_context():
        return len(
            current_session().scalars(
                select(Notification.id).join(User, User.id == Notification.user_id)
                .where(User.email == EMAIL, Notification.read_at.is_(None))
            ).all()
        )  # fmt: skip


def _settings(live: LiveApp) -> NotificationSettings:
    with live.app.app_context():
        session = current_session()
        settings = session.scalars(
            select(NotificationSettings).join(User, User.id == NotificationSettings.user_id)
            .where(User.email == EMAIL)
        ).one()  # fmt: skip
        session.expunge(settings)
        return settings
