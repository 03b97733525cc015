"""Fixtures of the trainings tests: a loopback SMTP server, trainers, sessions, sign-ups."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend import links
from backend.db import db, utcnow
from backend.trainings.models import Format, SessionState, TrainingPart, TrainingSession
from backend.trainings.settings import TrainingSettings
from tests.factories import UserFactory
from tests.mail.smtp import inbox, smtp_server, text_part

__all__ = ["inbox", "smtp_server"]


@pytest.fixture
def settings(app: Flask) -> TrainingSettings:
    return TrainingSettings.from_config(app.extensions["relais_config"])


@pytest.fixture
def trainer(app_ctx: Flask) -> Any:
    return UserFactory(is_trainer=True, full_name="Julien Formateur")


def make_training(
    trainer_id: int,
    *,
    capacity: int = 10,
    starts_in: dt.timedelta = dt.timedelta(days=10),
    format: Format = Format.WEBINAR,
    state: SessionState = SessionState.PUBLISHED,
    audiences: str = "micro-entreprise",
    visio_url: str = "https://visio.example/salle-42",
    title: str = "Déposer une facture sur le portail",
) -> TrainingSession:
    start = (utcnow() + starts_in).replace(microsecond=0)
    parts = [TrainingPart(position=1, starts_at=start, ends_at=start + dt.timedelta(minutes=90))]
    if format == Format.COACHING:
        second = start + dt.timedelta(days=7)
        parts.append(
            TrainingPart(position=2, starts_at=second, ends_at=second + dt.timedelta(minutes=90))
        )
    training = TrainingSession(
        title=title,
        format=format,
        audiences=audiences,
        description="**Programme** : dépôt, suivi.",
        trainer_id=trainer_id,
        starts_at=parts[0].starts_at,
        ends_at=parts[-1].ends_at,
        capacity=capacity,
        visio_url=visio_url,
        state=state,
        sequence=0,
        serial=0,
        parts=parts,
        updated_at=utcnow(),
    )
    db.session.add(training)
    db.session.commit()
    return training


@pytest.fixture
def training(trainer: Any) -> TrainingSession:
    return make_training(trainer.id)


def form_token(settings: TrainingSettings, seconds_ago: float = 30) -> str:
    return links.form_token(settings, utcnow() - dt.timedelta(seconds=seconds_ago))


SignUp = Callable[..., Any]


@pytest.fixture
def sign_up(client: FlaskClient, settings: TrainingSettings) -> SignUp:
    """POST the public form as a person would, after looking at it for 30 s."""

    def post(training_id: int, email: str, **fields: Any) -> Any:
        body = {
            "full_name": "Léa Garnier",
            "email": email,
            "structure": "Menuiserie Garnier",
            "consent": True,
            "form_token": form_token(settings),
            **fields,
        }
        return client.post(f"/api/v1/trainings/{training_id}/registrations", json=body)

    return post


def token_in(message: EmailMessage, page: str) -> str:
    """The `jeton` of the first link to a site page (e.g. "/confirmer/")."""
    for url in re.findall(r"https?://\S+", text_part(message)):
        if page in url:
            return parse_qs(urlsplit(url).query)["jeton"][0]
    raise AssertionError(f"no link to {page} in {message['Subject']}")


def confirm_token(message: EmailMessage) -> str:
    return token_in(message, "/inscription/confirmer/")


def cancel_token(message: EmailMessage) -> str:
    return token_in(message, "/inscription/annuler/")
