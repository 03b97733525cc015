"""The sign-up journey: each step commits its seat change, then sends its e-mails."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend import links
from backend.links import LinkError
from backend.mail import Mailer, deliver
from backend.trainings import emails, queries, seats
from backend.trainings.models import ACTIVE, Registration, RegistrationState, TrainingSession
from backend.trainings.settings import TrainingSettings


@dataclass(frozen=True)
class Outcome:
    registration: Registration
    training: TrainingSession
    waiting_rank: int | None = None


def announce_promotions(
    mailer: Mailer, settings: TrainingSettings, promoted: list[Registration]
) -> None:
    for reg in promoted:
        deliver(mailer, settings.mail_from, emails.promoted(reg, reg.training, settings))


def register(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    training_id: int,
    applicant: seats.Applicant,
    *,
    now: dt.datetime,
) -> Registration:
    """Sign up; the opt-in e-mail goes out again when the same address has not confirmed."""
    reg, _created = seats.sign_up(session, training_id, applicant, now=now, settings=settings)
    session.commit()
    if reg.email_confirmed_at is None:
        deliver(mailer, settings.mail_from, emails.confirm_request(reg, reg.training, settings))
    return reg


def _from_link(
    session: Session, settings: TrainingSettings, purpose: str, token: str
) -> Registration:
    max_age = settings.confirm_delay if purpose == links.CONFIRM else links.LONG_LIVED
    try:
        reg_id, version = links.read_token(settings, purpose, token, max_age)
    except links.InvalidLink as exc:
        if exc.expired:
            raise LinkError("Ce lien a expiré. Vous pouvez vous inscrire à nouveau.") from exc
        raise LinkError("Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.") from exc
    reg = session.get(Registration, reg_id)
    if reg is None or reg.position != version or reg.anonymised_at is not None:
        raise LinkError("Cette inscription n'existe plus.")
    return reg


def confirm(
    session: Session, mailer: Mailer, settings: TrainingSettings, token: str, *, now: dt.datetime
) -> Outcome:
    """The opt-in click: confirmed (with the invitation) or confirmed on the waiting list."""
    reg = _from_link(session, settings, links.CONFIRM, token)
    if reg.state in (RegistrationState.CANCELLED, RegistrationState.EXPIRED):
        raise LinkError("Cette inscription a été annulée ou a expiré. Vous pouvez vous réinscrire.")
    changed = seats.confirm_email(session, reg.id, now=now)
    session.commit()
    rank = seats.waiting_rank(session, reg) if reg.state == RegistrationState.WAITING else None
    if changed and rank is None:
        deliver(mailer, settings.mail_from, emails.confirmed(reg, reg.training, settings))
    elif changed and rank is not None:
        deliver(mailer, settings.mail_from, emails.waitlisted(reg, reg.training, settings, rank))
    return Outcome(reg, reg.training, rank)


def cancel(
    session: Session, mailer: Mailer, settings: TrainingSettings, token: str, *, now: dt.datetime
) -> Outcome:
    """Self-cancellation from the link in any e-mail; the seat goes to the next person."""
    reg = _from_link(session, settings, links.CANCEL, token)
    was = reg.state
    promoted = seats.release(session, reg, RegistrationState.CANCELLED, now=now, settings=settings)
    session.commit()
    if was in ACTIVE:
        view = queries.view_of(session, reg.training, settings, now)
        letter = emails.cancelled_by_person(reg, reg.training, settings, was, view)
        deliver(mailer, settings.mail_from, letter)
    announce_promotions(mailer, settings, promoted)
    return Outcome(reg, reg.training)


def cancel_by_organiser(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    reg: Registration,
    *,
    now: dt.datetime,
) -> None:
    """A trainer or an admin removes someone; they are told, the seat is given on."""
    was = reg.state
    promoted = seats.release(session, reg, RegistrationState.CANCELLED, now=now, settings=settings)
    session.commit()
    if was in ACTIVE:
        deliver(
            mailer,
            settings.mail_from,
            emails.cancelled_by_organiser(reg, reg.training, settings, was),
        )
    announce_promotions(mailer, settings, promoted)


def preview(session: Session, settings: TrainingSettings, token: str) -> Outcome:
    """What a confirmation or cancellation link is about, without acting on it."""
    try:
        reg = _from_link(session, settings, links.CANCEL, token)
    except LinkError:
        reg = _from_link(session, settings, links.CONFIRM, token)
    rank = seats.waiting_rank(session, reg) if reg.state == RegistrationState.WAITING else None
    return Outcome(reg, reg.training, rank)
