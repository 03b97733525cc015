"""French wording of dates, formats and audiences, shared by e-mails, CSV and the API."""

from __future__ import annotations

import datetime as dt

from backend.timeutil import DAYS_FR, MONTHS_FR, PARIS
from backend.trainings.models import (
    Format,
    Registration,
    RegistrationState,
    TrainingPart,
    TrainingSession,
)

DAYS, MONTHS = DAYS_FR, MONTHS_FR
FORMAT_LABELS = {
    Format.WEBINAR: "Webinaire (1 h 30)",
    Format.COACHING: "Accompagnement individualisé (2 séances d'1 h 30)",
}
AUDIENCES = {
    "micro-entreprise": "Micro-entreprises",
    "fournisseur-travaux": "Fournisseurs de travaux",
    "moe": "Maîtrise d'œuvre (MOE)",
    "moa": "Maîtrise d'ouvrage (MOA)",
    "entite-publique": "Entités publiques",
    "sous-traitant": "Sous-traitants et cotraitants",
    "tous": "Tous publics",
}


def paris(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def hour(moment: dt.datetime) -> str:
    local = paris(moment)
    return f"{local.hour} h {local.minute:02d}"


def day(moment: dt.datetime) -> str:
    local = paris(moment)
    first = "1er" if local.day == 1 else str(local.day)
    return f"{DAYS[local.weekday()]} {first} {MONTHS[local.month - 1]} {local.year}"


def part_when(part: TrainingPart) -> str:
    """« jeudi 12 mars 2026, de 10 h 00 à 11 h 30 »."""
    return f"{day(part.starts_at)}, de {hour(part.starts_at)} à {hour(part.ends_at)}"


def schedule(training: TrainingSession) -> str:
    """Every part on its own line, with « (heure de Paris) »."""
    if len(training.parts) == 1:
        return part_when(training.parts[0]) + " (heure de Paris)"
    lines = [f"séance {p.position} : {part_when(p)}" for p in training.parts]
    return "\n".join(lines) + "\n(heure de Paris)"


def outcome_message(reg: Registration, rank: int | None) -> str:
    """Where a person stands, said once (the pages show it as is)."""
    if reg.state == RegistrationState.WAITING and reg.email_confirmed_at is None:
        return (
            "La session est complète : confirmez votre adresse pour prendre place sur la "
            "liste d'attente."
        )
    if reg.state == RegistrationState.WAITING:
        return (
            f"Votre place sur la liste d'attente est confirmée. Votre rang : {rank}. Si une "
            "place se libère, elle vous sera attribuée et vous serez prévenu par e-mail."
        )
    return {
        RegistrationState.CONFIRMED: (
            "Inscription confirmée : l'invitation pour votre agenda et le lien de la classe "
            "virtuelle vous ont été envoyés par e-mail."
        ),
        RegistrationState.PENDING: (
            "Une place vous est réservée : confirmez votre inscription pour la garder."
        ),
        RegistrationState.CANCELLED: "Votre inscription est annulée.",
        RegistrationState.EXPIRED: "Votre inscription a expiré, faute de confirmation à temps.",
    }[reg.state]
