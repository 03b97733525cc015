"""Demo schedule for the coming three months."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.timeutil import PARIS
from backend.trainings.models import (
    Format,
    Registration,
    RegistrationState,
    SessionState,
    TrainingPart,
    TrainingSession,
)

WEBINARS = [
    (
        "Créer mon compte et déposer mes factures",
        "micro-entreprise,tous",
        "Création du compte, rattachement à la structure, dépôt d'une facture PDF.",
    ),
    (
        "Gérer les factures de travaux : titulaire, sous-traitants et cotraitants",
        "fournisseur-travaux,moe,moa",
        "Projet de décompte, validation par la maîtrise d'œuvre puis la maîtrise d'ouvrage.",
    ),
    (
        "Suivre mes factures : Synthèse et Tableau de bord",
        "micro-entreprise,fournisseur-travaux",
        "Lire les statuts, comprendre un rejet ou une suspension, agir au bon moment.",
    ),
    (
        "Saisir une sollicitation auprès de l'assistance",
        "tous",
        "Quand et comment solliciter l'assistance, avec les bonnes pièces.",
    ),
    (
        "Paramétrer sa structure publique : services et habilitations",
        "entite-publique",
        "Services, engagements juridiques obligatoires, gestion des utilisateurs.",
    ),
]
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Manon", "Nathan", "Chloé", "Louis", "Inès", "Jules"]
LAST_NAMES = ["Martin", "Bernard", "Petit", "Durand", "Lefèvre", "Moreau", "Garnier", "Roux"]
PROGRAMME = (
    "## Programme\n\n1. Explication théorique\n2. Démonstration en direct dans l'outil\n"
    "3. Questions à un expert\n\n{topic}"
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(dt.UTC)


def _session(
    trainer: User,
    title: str,
    kind: Format,
    days: list[dt.date],
    hour: int,
    capacity: int,
    audiences: str,
    topic: str,
    now: dt.datetime,
) -> TrainingSession:
    parts = [
        TrainingPart(
            position=n, starts_at=_at(d, hour), ends_at=_at(d, hour) + dt.timedelta(minutes=90)
        )
        for n, d in enumerate(days, start=1)
    ]
    return TrainingSession(
        title=title,
        format=kind,
        audiences=audiences,
        description=PROGRAMME.format(topic=topic),
        trainer_id=trainer.id,
        starts_at=parts[0].starts_at,
        ends_at=parts[-1].ends_at,
        capacity=capacity,
        visio_url=f"https://visio.relais.example/salle-{len(title)}-{hour}",
        state=SessionState.PUBLISHED,
        sequence=0,
        serial=0,
        parts=parts,
        created_at=now,
        updated_at=now,
    )


def _fill(
    session: Session,
    training: TrainingSession,
    confirmed: int,
    waiting: int,
    rng: random.Random,
    now: dt.datetime,
) -> None:
    for n in range(confirmed + waiting):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        training.serial += 1
        state = RegistrationState.CONFIRMED if n < confirmed else RegistrationState.WAITING
        session.add(
            Registration(
                training=training,
                email=f"{first}.{last}.{training.serial}@exemple.fr".lower(),
                full_name=f"{first} {last}",
                structure_name=f"{last} et fils",
                state=state,
                position=training.serial,
                consent_at=now,
                email_confirmed_at=now,
                seated_at=now if n < confirmed else None,
                created_at=now,
            )
        )


def _schedule(trainer: User, now: dt.datetime) -> list[TrainingSession]:
    """Webinars on Tuesdays and Thursdays, a two-part coaching every three weeks."""
    today = now.astimezone(PARIS).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    sessions = []
    for week in range(12):
        start = monday + dt.timedelta(weeks=week)
        title, audiences, topic = WEBINARS[week % len(WEBINARS)]
        day = start + dt.timedelta(days=1 if week % 2 else 3)
        sessions.append(
            _session(trainer, title, Format.WEBINAR, [day], 10, 40, audiences, topic, now)
        )
        if week % 3 == 0:
            days = [start + dt.timedelta(days=2), start + dt.timedelta(days=9)]
            title = "Accompagnement individualisé : prise en main de vos factures"
            topic = "Deux classes virtuelles, dix participants, partage d'écran."
            sessions.append(
                _session(trainer, title, Format.COACHING, days, 14, 10, "tous", topic, now)
            )
    return sessions


def seed_trainings(session: Session, now: dt.datetime) -> None:
    """The demo schedule: some sessions nearly full, one with a waiting list."""
    trainer = session.scalar(select(User).where(User.is_trainer, User.is_demo))
    if trainer is None or session.scalar(select(TrainingSession.id).limit(1)):
        return
    rng = random.Random(2026)
    sessions = _schedule(trainer, now)
    session.add_all(sessions)
    for index, training in enumerate(sessions):
        if training.format == Format.COACHING and index == 1:
            _fill(session, training, training.capacity, 3, rng, now)  # full, with a waiting list
        elif index in (0, 2):
            _fill(session, training, training.capacity - 2, 0, rng, now)  # nearly full
        else:
            _fill(session, training, rng.randint(3, training.capacity // 2), 0, rng, now)
