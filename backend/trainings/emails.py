"""The French e-mails of the sign-up journey, worded for the person's state (a seat or the
waiting list); each carries a cancellation link while useful, and a calendar message
(RFC 5546) only to people whose calendar holds, or is to hold, the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend import links
from backend.db import utcnow
from backend.french import plural
from backend.mail import Attachment, Letter
from backend.trainings import ical
from backend.trainings.models import Registration, RegistrationState, TrainingPart, TrainingSession
from backend.trainings.present import FORMAT_LABELS, day, hour, part_when, schedule
from backend.trainings.settings import TrainingSettings

CONFIRM_PAGE = "/formations/inscription/confirmer/"
CANCEL_PAGE = "/formations/inscription/annuler/"
PREVENU = "vous serez prévenu par e-mail"


def session_page(settings: TrainingSettings, training: TrainingSession) -> str:
    return settings.url(f"/formations/session/?id={training.id}")


def confirm_url(settings: TrainingSettings, reg: Registration) -> str:
    token = links.make_token(settings, links.CONFIRM, reg.id, reg.position)
    return links.page_url(settings, CONFIRM_PAGE, token)


def cancel_url(settings: TrainingSettings, reg: Registration) -> str:
    token = links.make_token(settings, links.CANCEL, reg.id, reg.position)
    return links.page_url(settings, CANCEL_PAGE, token)


def _calendar(
    training: TrainingSession, s: TrainingSettings, reg: Registration, method: str
) -> list[Attachment]:
    body = ical.message(training, s, reg, method=method, stamp=utcnow())
    params = {"method": method, "charset": "utf-8"}
    return [Attachment("formation.ics", body, "text", "calendar", params)]


def _letter(
    reg: Registration,
    settings: TrainingSettings,
    subject: str,
    paragraphs: list[str],
    *,
    cancellable: bool = True,
    **extra: Any,
) -> Letter:
    footer = [("Annuler mon inscription", cancel_url(settings, reg))] if cancellable else []
    return Letter(to=reg.email, subject=subject, paragraphs=paragraphs, footer=footer, **extra)


def _what(training: TrainingSession) -> str:
    return f"« {training.title} » — {FORMAT_LABELS[training.format]}\n{schedule(training)}"


def _until(reg: Registration) -> str:
    """« jusqu'au lundi 7 décembre 2026 à 13 h 05 »."""
    assert reg.confirm_by is not None
    return f"jusqu'au {day(reg.confirm_by)} à {hour(reg.confirm_by)}"


def _rank(rank: int) -> str:
    return (
        "en tête de la liste d'attente"
        if rank == 1
        else f"en position {rank} sur la liste d'attente"
    )


def confirm_request(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    """Double opt-in: the seat (or the place in the queue) waits for this click."""
    if reg.seated_at is not None:
        subject, action = "Confirmez votre inscription", "Confirmer mon inscription"
        status = (
            f"Une place vous est réservée {_until(reg)}. "
            "Confirmez votre inscription pour la garder."
        )
        asked = "à vous inscrire à la formation"
    else:
        subject = "Confirmez votre inscription sur la liste d'attente"
        action = "Confirmer ma place sur la liste d'attente"
        status = (
            "La session est complète : confirmez votre adresse pour prendre place sur la liste "
            f"d'attente. Si une place se libère, elle vous sera attribuée et {PREVENU}."
        )
        asked = "à vous inscrire sur la liste d'attente de la formation"
    paragraphs = [
        f"Vous avez demandé {asked} {_what(training)}",
        status,
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
        "sans confirmation, elle sera supprimée.",
    ]
    return _letter(reg, s, subject, paragraphs, actions=[(action, confirm_url(s, reg))])


def _visio(training: TrainingSession) -> str:
    if training.visio_url:
        return (
            f"Lien de la classe virtuelle (personnel, ne le diffusez pas) :\n{training.visio_url}"
        )
    return "Le lien de la classe virtuelle vous sera envoyé avant la séance."


def confirmed(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    paragraphs = [
        f"Votre inscription à la formation {_what(training)}\nest confirmée.",
        _visio(training),
        "L'invitation jointe ajoute la séance à votre agenda. Vous recevrez un rappel avant "
        "le début.",
    ]
    subject = f"Inscription confirmée : {training.title}"
    return _letter(reg, s, subject, paragraphs, attachments=_calendar(training, s, reg, "REQUEST"))


def waitlisted(
    reg: Registration, training: TrainingSession, s: TrainingSettings, rank: int
) -> Letter:
    paragraphs = [
        f"Votre place sur la liste d'attente de la formation {_what(training)}\nest confirmée : "
        f"vous êtes {_rank(rank)}.",
        f"Si une place se libère, elle vous sera attribuée automatiquement et {PREVENU}.",
    ]
    return _letter(reg, s, f"Vous êtes sur la liste d'attente : {training.title}", paragraphs)


def promoted(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    """A seat freed up; with a confirmed address the seat is theirs, otherwise held."""
    intro = f"Bonne nouvelle : une place s'est libérée pour la formation {_what(training)}"
    subject = f"Une place s'est libérée : {training.title}"
    if reg.email_confirmed_at is None:
        paragraphs = [
            intro,
            f"Elle vous est réservée {_until(reg)}. Confirmez votre inscription pour la garder.",
        ]
        actions = [("Confirmer mon inscription", confirm_url(s, reg))]
        return _letter(reg, s, subject, paragraphs, actions=actions)
    paragraphs = [
        intro,
        "Elle vous est attribuée : votre inscription est confirmée.",
        _visio(training),
    ]
    return _letter(reg, s, subject, paragraphs, attachments=_calendar(training, s, reg, "REQUEST"))


def reminder(
    reg: Registration,
    training: TrainingSession,
    part: TrainingPart,
    s: TrainingSettings,
    hours: float,
) -> Letter:
    delay = "demain" if hours >= 20 else f"dans {hours:g} h"
    paragraphs = [
        f"Rappel : la formation « {training.title} » commence {delay}, le {part_when(part)} "
        "(heure de Paris).",
        _visio(training),
        "Si vous ne pouvez plus y assister, annulez votre inscription : votre place ira à la "
        "personne suivante sur la liste d'attente.",
    ]
    return _letter(reg, s, f"Rappel : {training.title}", paragraphs)


def _was(state: RegistrationState) -> str:
    """What the person had: a seat, a held seat, or a place in the queue."""
    if state == RegistrationState.WAITING:
        return "votre inscription sur la liste d'attente de la formation"
    if state == RegistrationState.PENDING:
        return "votre demande d'inscription à la formation"
    return "votre inscription à la formation"


def _again(
    view: dict[str, Any], s: TrainingSettings, training: TrainingSession
) -> tuple[str, tuple[str, str]]:
    """Whether one can sign up again, from the session as it stands after the cancellation."""
    page = ("Voir la session", session_page(s, training))
    if view["registration_open"] and view["seats_left"] > 0:
        left = plural(view["seats_left"], "place restante", "places restantes")
        return f"Si vous changez d'avis, vous pouvez vous réinscrire ({left}) :", page
    if view["waiting_list_open"]:
        text = (
            "La session est désormais complète ; vous pouvez encore rejoindre sa liste d'attente :"
        )
        return text, page
    text = "Les inscriptions à cette session sont closes. Retrouvez les autres dates :"
    return text, ("Calendrier des formations", s.url("/formations/calendrier/"))


def cancelled_by_person(
    reg: Registration,
    training: TrainingSession,
    s: TrainingSettings,
    was: RegistrationState,
    view: dict[str, Any],
) -> Letter:
    """Self-cancellation; `view` is the session's public view once the seat was given on."""
    text, action = _again(view, s, training)
    invited = was == RegistrationState.CONFIRMED
    paragraphs = [f"{_was(was).capitalize()} {_what(training)}\nest annulée."]
    if invited:
        paragraphs.append("Le message joint retire la séance de votre agenda.")
    paragraphs.append(text)
    return _letter(
        reg,
        s,
        f"Inscription annulée : {training.title}",
        paragraphs,
        cancellable=False,
        actions=[action],
        attachments=_calendar(training, s, reg, "CANCEL") if invited else [],
    )


def cancelled_by_organiser(
    reg: Registration, training: TrainingSession, s: TrainingSettings, was: RegistrationState
) -> Letter:
    paragraphs = [
        f"L'organisateur a annulé {_was(was)} {_what(training)}",
        "Pour toute question, répondez à ce message.",
    ]
    invited = was == RegistrationState.CONFIRMED
    return _letter(
        reg,
        s,
        f"Inscription annulée : {training.title}",
        paragraphs,
        cancellable=False,
        attachments=_calendar(training, s, reg, "CANCEL") if invited else [],
    )


def session_cancelled(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    which = "sur la liste d'attente " if reg.state == RegistrationState.WAITING else ""
    paragraphs = [
        f"Nous sommes au regret de vous informer que la formation {_what(training)}\nest annulée.",
        f"Votre inscription {which}est donc annulée. Retrouvez les prochaines dates sur le site :",
    ]
    invited = reg.state == RegistrationState.CONFIRMED
    return _letter(
        reg,
        s,
        f"Formation annulée : {training.title}",
        paragraphs,
        cancellable=False,
        actions=[("Calendrier des formations", s.url("/formations/calendrier/"))],
        attachments=_calendar(training, s, reg, "CANCEL") if invited else [],
    )


@dataclass(frozen=True)
class Before:
    """What participants knew of a session before an edit, to tell them what changed."""

    title: str
    format: str
    schedule: str
    visio_url: str
    description: str

    @classmethod
    def of(cls, training: TrainingSession) -> Before:
        return cls(
            title=training.title,
            format=FORMAT_LABELS[training.format],
            schedule=schedule(training),
            visio_url=training.visio_url,
            description=training.description,
        )


def changes(before: Before, training: TrainingSession) -> list[str]:
    """One paragraph per change participants must know about, old and new side by side."""
    after = Before.of(training)
    lines = []
    for label, old, new in (
        ("Titre", before.title, after.title),
        ("Format", before.format, after.format),
        ("Date et heure", before.schedule, after.schedule),
        ("Lien de la classe virtuelle", before.visio_url, after.visio_url),
    ):
        if old != new:
            lines.append(f"{label}\navant : {old or '(aucun)'}\ndésormais : {new or '(aucun)'}")
    if before.description != after.description:
        lines.append("Le programme a été mis à jour : retrouvez-le sur la page de la session.")
    return lines


def session_changed(
    reg: Registration, training: TrainingSession, s: TrainingSettings, before: Before
) -> Letter:
    paragraphs = [
        f"La formation « {training.title} », à laquelle vous êtes inscrit, a été modifiée.",
        *changes(before, training),
        _visio(training),
        "L'invitation jointe met à jour votre agenda.",
    ]
    return _letter(
        reg,
        s,
        f"Formation modifiée : {training.title}",
        paragraphs,
        actions=[("Voir la session", session_page(s, training))],
        attachments=_calendar(training, s, reg, "REQUEST"),
    )
