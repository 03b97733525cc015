"""Newsletter: double opt-in, one-click unsubscribe, never telling who is subscribed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from backend import links
from backend.announcements import jobs
from backend.announcements.models import NewsletterSubscription, SubscriptionState
from backend.db import db, utcnow
from backend.trainings.settings import TrainingSettings
from tests.mail.smtp import Inbox, html_part, text_part
from tests.trainings.conftest import form_token, settings, token_in

__all__ = ["settings"]


def _subscribe(client: FlaskClient, settings: TrainingSettings, email: str, **extra: Any) -> Any:
    body = {"email": email, "consent": True, "form_token": form_token(settings), **extra}
    return client.post("/api/v1/newsletter/subscriptions", json=body)


def _state(email: str) -> SubscriptionState:
    db.session.expire_all()
    query = select(NewsletterSubscription.state).where(NewsletterSubscription.email == email)
    return db.session.scalars(query).one()


def test_double_opt_in_then_one_click_unsubscribe(
    client: FlaskClient, inbox: Inbox, settings: TrainingSettings
) -> None:
    first = _subscribe(client, settings, "Lea@Example.fr")
    assert first.status_code == 202
    [request] = inbox.messages
    assert request["Subject"] == "Confirmez votre abonnement à la lettre d'information"
    assert "Confirmer mon abonnement" in html_part(request)
    assert _state("lea@example.fr") == SubscriptionState.PENDING

    token = token_in(request, "/lettre-d-information/confirmer/")
    confirmed = client.post("/api/v1/newsletter/confirm", json={"token": token})
    assert confirmed.status_code == 200
    assert _state("lea@example.fr") == SubscriptionState.ACTIVE
    welcome = inbox.messages[-1]
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = welcome["List-Unsubscribe"].strip("<>")
    assert "/lettre-d-information/desinscription/" in text_part(welcome)

    path = one_click.split("127.0.0.1:8000", 1)[1]
    response = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response.get_json()["message"].startswith("Vous êtes désabonné")
    assert _state("lea@example.fr") == SubscriptionState.UNSUBSCRIBED
    unsub = token_in(welcome, "/lettre-d-information/desinscription/")
    assert client.post("/api/v1/newsletter/unsubscribe", json={"token": unsub}).status_code == 200


def test_the_answer_never_reveals_a_subscription(
    client: FlaskClient, inbox: Inbox, settings: TrainingSettings
) -> None:
    _subscribe(client, settings, "lea@example.fr")
    token = token_in(inbox.messages[0], "/lettre-d-information/confirmer/")
    client.post("/api/v1/newsletter/confirm", json={"token": token})
    inbox.clear()
    known = _subscribe(client, settings, "lea@example.fr")
    unknown = _subscribe(client, settings, "nouveau@example.fr")
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["nouveau@example.fr"]


def test_robots_validation_and_bad_links(
    client: FlaskClient, inbox: Inbox, settings: TrainingSettings
) -> None:
    assert _subscribe(client, settings, "bot@example.fr", website="x").status_code == 202
    too_fast = _subscribe(client, settings, "bot2@example.fr", form_token=form_token(settings, 0))
    assert too_fast.status_code == 202 and inbox.messages == []
    refused = _subscribe(client, settings, "lea@example.fr", consent=False).get_json()
    assert (
        refused["invalid_params"][0]["reason"] == "Votre accord est nécessaire pour vous abonner."
    )
    forged = client.post("/api/v1/newsletter/confirm", json={"token": "n" * 30})
    assert forged.status_code == 400 and forged.get_json()["detail"] == "Ce lien n'est pas valide."
    wrong = links.make_token(settings, links.CONFIRM, 1)
    assert client.post("/api/v1/newsletter/unsubscribe/" + wrong).status_code == 400


def test_stale_addresses_are_forgotten(app_ctx: Any) -> None:
    now = utcnow()
    old = now - dt.timedelta(days=31)
    db.session.add_all(
        [
            NewsletterSubscription(
                email="a@x.fr", state=SubscriptionState.PENDING, consent_at=old, created_at=old
            ),
            NewsletterSubscription(
                email="b@x.fr", state=SubscriptionState.ACTIVE, consent_at=old, created_at=old
            ),
            NewsletterSubscription(
                email="c@x.fr",
                state=SubscriptionState.UNSUBSCRIBED,
                consent_at=old,
                unsubscribed_at=old,
            ),
            NewsletterSubscription(email="d@x.fr", state=SubscriptionState.PENDING, consent_at=now),
        ]
    )
    db.session.commit()
    assert jobs.forget_stale(db.session, now) == 2
    emails = db.session.scalars(
        select(NewsletterSubscription.email).order_by(NewsletterSubscription.email)
    )
    assert list(emails) == ["b@x.fr", "d@x.fr"]
