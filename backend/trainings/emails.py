"""The French e-mails of the sign-up journey; each carries a cancellation link while useful."""

from __future__ import annotations

from backend.mail import Attachment, Letter
from backend.trainings import ical, links
from backend.trainings.models import Registration, TrainingPart, TrainingSession
from backend.trainings.present import FORMAT_LABELS, part_when, schedule
from backend.trainings.settings import TrainingSettings

CONFIRM_PAGE = "/formations/inscription/confirmer/"
CANCEL_PAGE = "/formations/inscription/annuler/"


def session_page(settings: TrainingSettings, training: TrainingSession) -> str:
    return settings.url(f"/formations/session/?id={training.id}")


def confirm_url(settings: TrainingSettings, reg: Registration) -> str:
    token = links.make_token(settings, links.CONFIRM, reg.id, reg.position)
    return links.page_url(settings, CONFIRM_PAGE, token)


def cancel_url(settings: TrainingSettings, reg: Registration) -> str:
    token = links.make_token(settings, links.CANCEL, reg.id, reg.position)
    return links.page_url(settings, CANCEL_PAGE, token)


def _invitation(training: TrainingSession, settings: TrainingSettings, method: str) -> Attachment:
    body = ical.calendar([training], settings, method=method, private=method == "REQUEST")
    return Attachment(
        "formation.ics", body, "text", "calendar", {"method": method, "charset": "utf-8"}
    )


def _letter(
    reg: Registration,
    settings: TrainingSettings,
    subject: str,
    paragraphs: list[str],
    *,
    cancellable: bool = True,
    **extra: object,
) -> Letter:
    footer = [("Annuler mon inscription", cancel_url(settings, reg))] if cancellable else []
    return Letter(to=reg.email, subject=subject, paragraphs=paragraphs, footer=footer, **extra)  # type: ignore[arg-type]


def _what(training: TrainingSession) -> str:
    return f"« {training.title} » — {FORMAT_LABELS[training.format]}\n{schedule(training)}"


def confirm_request(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    """Double opt-in: the seat (or the place in the queue) waits for this click."""
    deadline = f"{part_when_deadline(reg)}" if reg.confirm_by else ""
    if reg.seated_at is not None:
        status = (
            f"Une place vous est réservée{deadline}. Confirmez votre inscription pour la garder."
        )
    else:
        status = (
            "La session est complète : confirmez votre adresse pour rejoindre la liste "
            "d'attente. Vous serez prévenu par e-mail si une place se libère."
        )
    paragraphs = [
        f"Vous avez demandé à vous inscrire à la formation {_what(training)}",
        status,
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : "
        "sans confirmation, elle sera supprimée.",
    ]
    actions = [("Confirmer mon inscription", confirm_url(s, reg))]
    return _letter(reg, s, "Confirmez votre inscription", paragraphs, actions=actions)


def part_when_deadline(reg: Registration) -> str:
    from backend.trainings.present import day, hour

    assert reg.confirm_by is not None
    return f" jusqu'au {day(reg.confirm_by)} à {hour(reg.confirm_by)}"


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
    return _letter(
        reg,
        s,
        f"Inscription confirmée : {training.title}",
        paragraphs,
        attachments=[_invitation(training, s, "REQUEST")],
    )


def waitlisted(
    reg: Registration, training: TrainingSession, s: TrainingSettings, rank: int
) -> Letter:
    paragraphs = [
        f"Votre adresse est confirmée. La formation {_what(training)}\nest complète : vous êtes "
        f"en position {rank} sur la liste d'attente.",
        "Si une place se libère, elle vous sera attribuée automatiquement et vous serez "
        "prévenu par e-mail.",
    ]
    return _letter(reg, s, f"Liste d'attente : {training.title}", paragraphs)


def promoted(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    """A seat freed up; with a confirmed address the seat is theirs, otherwise held."""
    intro = f"Bonne nouvelle : une place s'est libérée pour la formation {_what(training)}"
    if reg.email_confirmed_at is None:
        paragraphs = [
            intro,
            f"Elle vous est réservée{part_when_deadline(reg)}. Confirmez votre inscription "
            "pour la garder.",
        ]
        actions = [("Confirmer mon inscription", confirm_url(s, reg))]
        return _letter(
            reg, s, f"Une place s'est libérée : {training.title}", paragraphs, actions=actions
        )
    paragraphs = [
        intro,
        "Elle vous est attribuée : votre inscription est confirmée.",
        _visio(training),
    ]
    return _letter(
        reg,
        s,
        f"Une place s'est libérée : {training.title}",
        paragraphs,
        attachments=[_invitation(training, s, "REQUEST")],
    )


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


def cancelled_by_person(
    reg: Registration, training: TrainingSession, s: TrainingSettings
) -> Letter:
    paragraphs = [
        f"Votre inscription à la formation {_what(training)}\nest annulée.",
        "Vous pouvez vous réinscrire tant qu'il reste des places :",
    ]
    actions = [("Voir la session", session_page(s, training))]
    return _letter(
        reg,
        s,
        f"Inscription annulée : {training.title}",
        paragraphs,
        cancellable=False,
        actions=actions,
        attachments=[_invitation(training, s, "CANCEL")],
    )


def cancelled_by_organiser(
    reg: Registration, training: TrainingSession, s: TrainingSettings
) -> Letter:
    paragraphs = [
        f"L'organisateur a annulé votre inscription à la formation {_what(training)}",
        "Pour toute question, répondez à ce message.",
    ]
    return _letter(
        reg,
        s,
        f"Inscription annulée : {training.title}",
        paragraphs,
        cancellable=False,
        attachments=[_invitation(training, s, "CANCEL")],
    )


def session_cancelled(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    paragraphs = [
        f"Nous sommes au regret de vous informer que la formation {_what(training)}\nest annulée.",
        "Votre inscription est donc annulée. Retrouvez les prochaines dates sur le site :",
    ]
    actions = [("Calendrier des formations", s.url("/formations/"))]
    return _letter(
        reg,
        s,
        f"Formation annulée : {training.title}",
        paragraphs,
        cancellable=False,
        actions=actions,
        attachments=[_invitation(training, s, "CANCEL")],
    )


def session_changed(reg: Registration, training: TrainingSession, s: TrainingSettings) -> Letter:
    paragraphs = [
        f"La formation à laquelle vous êtes inscrit a été modifiée : {_what(training)}",
        _visio(training),
        "L'invitation jointe met à jour votre agenda.",
    ]
    return _letter(
        reg,
        s,
        f"Formation modifiée : {training.title}",
        paragraphs,
        attachments=[_invitation(training, s, "REQUEST")],
    )
