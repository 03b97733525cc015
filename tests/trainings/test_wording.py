"""What people read, per state: a seat or the waiting list, seats left or none, one or many."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.french import plural
from tests.mail.smtp import Inbox, calendar_part, html_part, text_part
from tests.trainings.conftest import SignUp, cancel_token, confirm_token, make_training


def _confirm(client: FlaskClient, inbox: Inbox, email: str) -> Any:
    token = confirm_token(inbox.to(email)[-1])
    return client.post("/api/v1/registrations/confirm", json={"token": token}).get_json()


def _cancel(client: FlaskClient, inbox: Inbox, email: str) -> Any:
    token = cancel_token(inbox.to(email)[-1])
    return client.post("/api/v1/registrations/cancel", json={"token": token}).get_json()


@pytest.mark.nodb
@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 place restante"), (1, "1 place restante"), (2, "2 places restantes")],
)
def test_french_plural_is_singular_below_two(count: int, expected: str) -> None:
    assert plural(count, "place restante", "places restantes") == expected
    assert plural(count, "place") == f"{count} place" + ("s" if count > 1 else "")


def test_a_waiting_list_place_is_never_called_a_confirmed_inscription(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id, capacity=1)
    sign_up(training.id, "first@example.fr")
    _confirm(client, inbox, "first@example.fr")
    sign_up(training.id, "second@example.fr")
    [request] = inbox.to("second@example.fr")
    assert request["Subject"] == "Confirmez votre inscription sur la liste d'attente"
    assert "Confirmer ma place sur la liste d&#x27;attente</a>" in html_part(request)
    assert "Confirmer mon inscription" not in text_part(request)
    outcome = _confirm(client, inbox, "second@example.fr")
    assert outcome["message"].startswith("Votre place sur la liste d'attente est confirmée.")
    assert "Votre rang : 1." in outcome["message"] and outcome["email_confirmed"] is True
    notice = inbox.to("second@example.fr")[-1]
    assert "Inscription confirmée" not in notice["Subject"] + text_part(notice)
    assert calendar_part(notice) is None  # nothing for a calendar while waiting


def test_a_cancellation_says_whether_one_can_sign_up_again(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id, capacity=1)
    for email in ("a@example.fr", "b@example.fr"):
        sign_up(training.id, email)
        _confirm(client, inbox, email)
    _cancel(client, inbox, "a@example.fr")  # b is given the seat: none is left
    goodbye = text_part(inbox.to("a@example.fr")[-1]).replace("\r\n", "\n")
    assert "tant qu'il reste des places" not in goodbye
    assert (
        "La session est désormais complète ; vous pouvez encore rejoindre sa liste d'attente"
        in goodbye
    )
    assert "Le message joint retire la séance de votre agenda." in goodbye

    roomy = make_training(trainer.id, capacity=3, title="Suivre ses factures")
    sign_up(roomy.id, "c@example.fr")
    _confirm(client, inbox, "c@example.fr")
    _cancel(client, inbox, "c@example.fr")
    assert "vous réinscrire (3 places restantes)" in text_part(inbox.to("c@example.fr")[-1])


def test_leaving_the_waiting_list_is_worded_for_it_and_sends_no_calendar(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id, capacity=1)
    sign_up(training.id, "a@example.fr")
    _confirm(client, inbox, "a@example.fr")
    sign_up(training.id, "b@example.fr")
    _confirm(client, inbox, "b@example.fr")
    assert _cancel(client, inbox, "b@example.fr")["message"] == "Votre inscription est annulée."
    goodbye = inbox.to("b@example.fr")[-1]
    text = text_part(goodbye).replace("\r\n", "\n")
    assert text.startswith("Bonjour,\n\nVotre inscription sur la liste d'attente de la formation")
    assert calendar_part(goodbye) is None
