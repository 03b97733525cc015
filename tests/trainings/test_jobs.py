"""Scheduled jobs: reminders exactly once (also across a restart), expiry, anonymisation."""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import db
from backend.mail import Mailer
from backend.trainings import jobs, notices, seats
from backend.trainings.models import (
    Format,
    Notice,
    Registration,
    RegistrationState,
    TrainingSession,
)
from backend.trainings.settings import TrainingSettings
from tests.mail.smtp import Inbox, text_part
from tests.trainings.conftest import confirm_token, make_training


def _join(
    training: TrainingSession, email: str, settings: TrainingSettings, *, confirm: bool = True
) -> Registration:
    applicant = seats.Applicant(email=email, full_name="Léa Garnier", structure_name="SARL Garnier")
    now = training.starts_at - dt.timedelta(days=5)
    reg, _ = seats.sign_up(db.session, training.id, applicant, now=now, settings=settings)
    if confirm:
        seats.confirm_email(db.session, reg.id, now=now)
    db.session.commit()
    return reg


def _mailer(app: Flask) -> Mailer:
    mailer: Mailer = app.extensions["relais_mailer"]
    return mailer


class Crash(BaseException):
    """The process dies while talking to the mail server."""


class CrashingMailer:
    def send(self, message: EmailMessage) -> None:
        raise Crash


class RefusingMailer:
    def send(self, message: EmailMessage) -> None:
        raise smtplib.SMTPServerDisconnected("down")


def test_reminders_24h_and_1h_are_sent_once_even_after_a_restart(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id)
    _join(training, "lea@example.fr", settings)
    _join(training, "marc@example.fr", settings, confirm=False)  # unconfirmed: no reminder
    start, mailer = training.starts_at, _mailer(app)
    assert (
        jobs.send_due_reminders(db.session, mailer, start - dt.timedelta(hours=25), settings) == 0
    )
    day_before = start - dt.timedelta(hours=23)
    assert jobs.send_due_reminders(db.session, mailer, day_before, settings) == 1
    assert jobs.send_due_reminders(db.session, mailer, day_before, settings) == 0
    db.session.commit()
    with Session(db.engine) as fresh:  # a restarted scheduler: new process, new session
        assert (
            jobs.send_due_reminders(fresh, mailer, day_before + dt.timedelta(hours=1), settings)
            == 0
        )
    [reminder] = inbox.messages
    assert reminder["Subject"] == "Rappel : Déposer une facture sur le portail"
    assert "commence demain" in text_part(reminder)
    assert "https://visio.example/salle-42" in text_part(reminder)
    assert "/inscription/annuler/" in text_part(reminder)

    hour_before = start - dt.timedelta(minutes=50)
    db.session.commit()
    with Session(db.engine) as fresh:
        assert jobs.send_due_reminders(fresh, mailer, hour_before, settings) == 1
    assert jobs.send_due_reminders(db.session, mailer, hour_before, settings) == 0
    assert "commence dans 1 h" in text_part(inbox.messages[-1])
    kinds = db.session.scalars(select(Notice.kind).order_by(Notice.id)).all()
    assert kinds == ["reminder-24h-part1", "reminder-1h-part1"]


def test_coaching_gets_reminders_before_each_part(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id, format=Format.COACHING)
    _join(training, "lea@example.fr", settings)
    for part in training.parts:
        for hours in (23, 0.5):
            now = part.starts_at - dt.timedelta(hours=hours)
            jobs.send_due_reminders(db.session, _mailer(app), now, settings)
    assert len(inbox.messages) == 4


def test_a_late_scheduler_sends_only_the_nearest_reminder(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id)
    _join(training, "lea@example.fr", settings)
    now = training.starts_at - dt.timedelta(minutes=30)
    assert jobs.send_due_reminders(db.session, _mailer(app), now, settings) == 1
    assert "dans 1 h" in text_part(inbox.messages[0])


def test_a_crash_during_the_send_never_leads_to_a_second_reminder(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id)
    _join(training, "lea@example.fr", settings)
    now = training.starts_at - dt.timedelta(hours=23)
    db.session.commit()
    with Session(db.engine) as dying, pytest.raises(Crash):
        jobs.send_due_reminders(dying, CrashingMailer(), now, settings)
    with Session(db.engine) as restarted:
        assert jobs.send_due_reminders(restarted, _mailer(app), now, settings) == 0
        # At most once: the claim survives; an operator can see it was never marked sent.
        [unsent] = notices.unsent_claims(restarted, now + dt.timedelta(minutes=5))
        assert unsent.kind == "reminder-24h-part1"
    assert inbox.messages == []


def test_a_refused_send_releases_the_claim_for_the_next_run(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id)
    _join(training, "lea@example.fr", settings)
    now = training.starts_at - dt.timedelta(hours=23)
    assert jobs.send_due_reminders(db.session, RefusingMailer(), now, settings) == 0
    assert db.session.scalars(select(Notice)).all() == []
    assert jobs.send_due_reminders(db.session, _mailer(app), now, settings) == 1
    assert db.session.scalars(select(Notice.sent_at)).one() == now


def test_unconfirmed_sign_ups_expire_and_free_their_seat(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id, capacity=1)
    first = _join(training, "first@example.fr", settings, confirm=False)
    second = _join(training, "second@example.fr", settings, confirm=False)
    assert (first.state, second.state) == (RegistrationState.PENDING, RegistrationState.WAITING)
    assert first.confirm_by is not None
    later = first.confirm_by + dt.timedelta(minutes=1)
    # Both never confirmed: the first expires, the second is expired too (its delay ran out).
    assert jobs.expire_unconfirmed(db.session, _mailer(app), later, settings) == 2
    db.session.expire_all()
    assert {first.state, second.state} == {RegistrationState.EXPIRED}


def test_an_expired_seat_goes_to_the_next_confirmed_person(
    client: Any, app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id, capacity=1)
    first = _join(training, "first@example.fr", settings, confirm=False)
    second = _join(training, "second@example.fr", settings)
    assert second.state == RegistrationState.WAITING
    assert first.confirm_by is not None
    jobs.expire_unconfirmed(db.session, _mailer(app), first.confirm_by, settings)
    db.session.expire_all()
    assert (first.state, second.state) == (RegistrationState.EXPIRED, RegistrationState.CONFIRMED)
    [promoted] = inbox.to("second@example.fr")
    assert promoted["Subject"].startswith("Une place s'est libérée")


def test_a_promoted_person_who_never_confirmed_gets_a_confirmation_link(
    client: Any, app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id, capacity=1)
    first = _join(training, "first@example.fr", settings)
    second = _join(training, "second@example.fr", settings, confirm=False)
    now = training.starts_at - dt.timedelta(days=4, hours=23)
    seats.release(db.session, first, RegistrationState.CANCELLED, now=now, settings=settings)
    db.session.commit()
    db.session.expire_all()
    assert second.state == RegistrationState.PENDING
    from backend.trainings import emails

    letter = emails.promoted(second, training, settings)
    assert letter.actions and "/inscription/confirmer/" in letter.actions[0][1]


def test_personal_data_is_anonymised_after_the_retention_period(
    app: Flask, inbox: Inbox, trainer: Any, settings: TrainingSettings
) -> None:
    training = make_training(trainer.id)
    reg = _join(training, "lea@example.fr", settings)
    reg.siret = "73282932000074"
    db.session.commit()
    assert (
        jobs.purge_personal_data(db.session, training.ends_at + dt.timedelta(days=89), settings)
        == 0
    )
    later = training.ends_at + dt.timedelta(days=91)
    assert jobs.purge_personal_data(db.session, later, settings) == 1
    db.session.expire_all()
    assert (reg.email, reg.full_name, reg.structure_name, reg.siret) == (
        f"anonyme-{reg.id}@invalid",
        "",
        "",
        None,
    )
    assert reg.state == RegistrationState.CONFIRMED and reg.anonymised_at == later
    assert jobs.purge_personal_data(db.session, later, settings) == 0


def test_links_of_anonymised_registrations_stop_working(
    client: Any, inbox: Inbox, training: Any, sign_up: Any, settings: TrainingSettings
) -> None:
    sign_up(training.id, "lea@example.fr")
    token = confirm_token(inbox.messages[0])
    jobs.purge_personal_data(db.session, training.ends_at + dt.timedelta(days=91), settings)
    response = client.post("/api/v1/registrations/confirm", json={"token": token})
    assert response.status_code == 400
