"""The sign-up journey over HTTP, with every e-mail received by a real SMTP server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from backend import links
from backend.db import db, utcnow
from backend.trainings.models import Registration, RegistrationState, SessionState
from backend.trainings.settings import TrainingSettings
from tests.mail.smtp import Inbox, calendar_part, html_part, text_part
from tests.trainings.conftest import (
    SignUp,
    cancel_token,
    confirm_token,
    form_token,
    make_training,
)


def _state(email: str) -> RegistrationState:
    db.session.expire_all()
    reg = db.session.query(Registration).filter_by(email=email).one()
    return reg.state


def _confirm(client: FlaskClient, token: str) -> Any:
    return client.post("/api/v1/registrations/confirm", json={"token": token})


def test_sign_up_confirm_and_receive_the_invitation(
    client: FlaskClient, inbox: Inbox, training: Any, sign_up: SignUp
) -> None:
    response = sign_up(training.id, "Lea@Example.fr", siret="73282932000074")
    assert response.status_code == 202
    assert "e-mail" in response.get_json()["message"]
    [request] = inbox.to("lea@example.fr")
    assert request["Subject"] == "Confirmez votre inscription"
    body = text_part(request)
    assert "Une place vous est réservée jusqu'au" in body
    assert "Déposer une facture sur le portail" in body and "(heure de Paris)" in body
    assert "Confirmer mon inscription" in html_part(request)
    assert cancel_token(request)  # a cancellation link in every e-mail
    assert _state("lea@example.fr") == RegistrationState.PENDING

    confirmed = _confirm(client, confirm_token(request))
    assert confirmed.status_code == 200
    assert confirmed.get_json()["state"] == "confirmed"
    assert confirmed.get_json()["training"]["seats_left"] == 9
    welcome = inbox.to("lea@example.fr")[-1]
    assert welcome["Subject"] == "Inscription confirmée : Déposer une facture sur le portail"
    assert "https://visio.example/salle-42" in text_part(welcome)
    invitation = calendar_part(welcome)
    assert invitation is not None and invitation.get_param("method") == "REQUEST"
    assert cancel_token(welcome)

    again = _confirm(client, confirm_token(request))
    assert again.status_code == 200 and len(inbox.to("lea@example.fr")) == 2


def test_full_session_waiting_list_and_promotion_on_cancellation(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id, capacity=1)
    sign_up(training.id, "first@example.fr")
    _confirm(client, confirm_token(inbox.to("first@example.fr")[0]))
    assert sign_up(training.id, "second@example.fr").status_code == 202
    request = inbox.to("second@example.fr")[0]
    assert "La session est complète" in text_part(request)

    waiting = _confirm(client, confirm_token(request)).get_json()
    assert (waiting["state"], waiting["waiting_rank"]) == ("waiting", 1)
    assert waiting["training"]["seats_left"] == 0
    notice = inbox.to("second@example.fr")[-1]
    assert notice["Subject"].startswith("Vous êtes sur la liste d'attente")
    assert "vous êtes en tête de la liste d'attente" in text_part(notice)

    cancelled = client.post(
        "/api/v1/registrations/cancel",
        json={"token": cancel_token(inbox.to("first@example.fr")[-1])},
    )
    assert cancelled.get_json()["state"] == "cancelled"
    goodbye = inbox.to("first@example.fr")[-1]
    assert goodbye["Subject"].startswith("Inscription annulée")
    ics = calendar_part(goodbye)
    assert ics is not None and ics.get_param("method") == "CANCEL"
    promoted = inbox.to("second@example.fr")[-1]
    assert promoted["Subject"].startswith("Une place s'est libérée")
    assert "votre inscription est confirmée" in text_part(promoted)
    assert calendar_part(promoted) is not None
    assert _state("second@example.fr") == RegistrationState.CONFIRMED


def test_one_registration_per_address_and_the_request_is_sent_again(
    inbox: Inbox, training: Any, sign_up: SignUp
) -> None:
    sign_up(training.id, "lea@example.fr")
    sign_up(training.id, "LEA@example.fr")
    assert db.session.query(Registration).count() == 1
    assert [m["Subject"] for m in inbox.to("lea@example.fr")] == ["Confirmez votre inscription"] * 2


def test_robots_are_accepted_silently_and_get_nothing(
    inbox: Inbox, training: Any, sign_up: SignUp, settings: TrainingSettings
) -> None:
    honeypot = sign_up(training.id, "bot1@example.fr", website="http://spam.example")
    too_fast = sign_up(training.id, "bot2@example.fr", form_token=form_token(settings, 0.5))
    forged = sign_up(training.id, "bot3@example.fr", form_token="x" * 40)
    assert [r.status_code for r in (honeypot, too_fast, forged)] == [202, 202, 202]
    assert honeypot.get_json() == too_fast.get_json() == forged.get_json()
    assert inbox.messages == [] and db.session.query(Registration).count() == 0


def test_validation_errors_are_french_and_name_the_field(
    client: FlaskClient, training: Any, sign_up: SignUp
) -> None:
    no_consent = sign_up(training.id, "lea@example.fr", consent=False).get_json()
    assert no_consent["invalid_params"] == [
        {
            "name": "consent",
            "in": "json",
            "reason": "Votre accord est nécessaire pour vous inscrire.",
        }
    ]
    assert no_consent["detail"].startswith("Champ « consent »")
    siret = sign_up(training.id, "lea@example.fr", siret="12345678901234").get_json()
    assert siret["invalid_params"][0] == {
        "name": "siret",
        "in": "json",
        "reason": "Numéro SIRET invalide.",
    }
    email = sign_up(training.id, "pas-une-adresse").get_json()
    assert email["invalid_params"][0]["reason"] == "Adresse e-mail invalide."
    missing = client.post(f"/api/v1/trainings/{training.id}/registrations", json={})
    assert missing.status_code == 422
    names = {p["name"] for p in missing.get_json()["invalid_params"]}
    assert {"full_name", "email", "structure", "consent", "form_token"} <= names


def test_sign_ups_are_rate_limited_per_address(training: Any, sign_up: SignUp) -> None:
    statuses = [sign_up(training.id, "same@example.fr").status_code for _ in range(6)]
    assert statuses == [202] * 5 + [429]


def test_closed_sessions_refuse_sign_ups(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    draft = make_training(trainer.id, state=SessionState.DRAFT)
    assert sign_up(draft.id, "a@example.fr").status_code == 404
    assert client.get(f"/api/v1/trainings/{draft.id}").status_code == 404
    cancelled = make_training(trainer.id, state=SessionState.CANCELLED)
    refused = sign_up(cancelled.id, "b@example.fr")
    assert refused.status_code == 409
    assert refused.get_json()["detail"] == "Les inscriptions à cette session sont closes."
    # Full, and the waiting list closed 24 h before the start: no more sign-ups.
    soon = make_training(trainer.id, capacity=1, starts_in=dt.timedelta(hours=10))
    assert sign_up(soon.id, "c@example.fr").status_code == 202
    full = sign_up(soon.id, "d@example.fr")
    assert full.status_code == 409
    assert full.get_json()["detail"].startswith("Cette session est complète")


def test_bad_and_expired_links(
    client: FlaskClient, inbox: Inbox, training: Any, sign_up: SignUp, settings: TrainingSettings
) -> None:
    forged = _confirm(client, "abcdefghijklmnop")
    assert forged.status_code == 400
    assert forged.get_json()["detail"].startswith("Ce lien n'est pas valide")
    sign_up(training.id, "lea@example.fr")
    reg = db.session.query(Registration).one()
    old = links.URLSafeTimedSerializer(settings.secret_key, salt=links.CONFIRM)
    import time

    stale = old.dumps([reg.id, reg.position])
    real_time = time.time
    try:
        time.time = lambda: real_time() + 2 * 24 * 3600  # type: ignore[assignment]
        expired = _confirm(client, stale)
    finally:
        time.time = real_time  # type: ignore[assignment]
    assert expired.status_code == 400
    assert expired.get_json()["detail"] == "Ce lien a expiré. Vous pouvez vous inscrire à nouveau."
    wrong_purpose = _confirm(client, cancel_token(inbox.messages[0]))
    assert wrong_purpose.status_code == 400


def test_new_sign_up_after_cancelling_voids_the_old_links(
    client: FlaskClient, inbox: Inbox, training: Any, sign_up: SignUp
) -> None:
    sign_up(training.id, "lea@example.fr")
    first = inbox.to("lea@example.fr")[0]
    client.post("/api/v1/registrations/cancel", json={"token": cancel_token(first)})
    sign_up(training.id, "lea@example.fr")
    assert _state("lea@example.fr") == RegistrationState.PENDING
    stale = _confirm(client, confirm_token(first))
    assert stale.status_code == 400
    assert _confirm(client, confirm_token(inbox.to("lea@example.fr")[-1])).status_code == 200


def test_seats_left_counts_pending_and_confirmed(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id, capacity=2)
    sign_up(training.id, "a@example.fr")
    view = client.get(f"/api/v1/trainings/{training.id}").get_json()
    assert (view["seats_left"], view["registration_open"], view["waiting_list_open"]) == (
        1,
        True,
        False,
    )
    sign_up(training.id, "b@example.fr")
    view = client.get(f"/api/v1/trainings/{training.id}").get_json()
    assert (view["seats_left"], view["waiting_list_open"]) == (0, True)
    assert utcnow() < dt.datetime.fromisoformat(view["starts_at"])


def test_odd_ids_are_404_not_405(client: FlaskClient, sign_up: SignUp) -> None:
    assert sign_up("abc", "lea@example.fr").status_code == 404  # type: ignore[arg-type]
    assert sign_up(2**70, "lea@example.fr").status_code == 404
    assert client.get("/api/v1/trainings/-1/calendar.ics").status_code == 404


def test_a_site_page_previews_a_link_before_acting(
    client: FlaskClient, inbox: Inbox, training: Any, sign_up: SignUp
) -> None:
    sign_up(training.id, "lea@example.fr")
    request = inbox.messages[0]
    for token in (confirm_token(request), cancel_token(request)):
        seen = client.post("/api/v1/registrations/preview", json={"token": token}).get_json()
        assert seen["state"] == "pending"
        assert seen["training"]["title"] == "Déposer une facture sur le portail"
    assert _state("lea@example.fr") == RegistrationState.PENDING and len(inbox.messages) == 1
    bad = client.post("/api/v1/registrations/preview", json={"token": "x" * 20})
    assert bad.status_code == 400
