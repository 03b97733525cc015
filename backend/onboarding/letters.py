"""The e-mails of onboarding: a join request for the main managers, its answer for the
requester. Each links to the site's page that says where the thing is done in the app."""

from __future__ import annotations

from backend.accounts.models import Structure, User
from backend.mail import Letter
from backend.sync.reminders import GUIDE, named

JOIN_REQUESTS = GUIDE + "#demandes-d-acces"
_named = named


def join_requested(to: str, requester: User, structure: Structure, base_url: str) -> Letter:
    return Letter(
        to=to,
        subject=f"Demande d'accès à {structure.name}",
        paragraphs=[
            f"{requester.full_name} ({requester.email}) a saisi le compte technique Chorus Pro "
            f"de {_named(structure)} dans Relais et demande à rejoindre la structure.",
            "Ces identifiants ne donnent pas accès à eux seuls : en tant que gestionnaire "
            "principal, acceptez la demande (en choisissant son rôle) ou refusez-la dans "
            "l'application Relais, rubrique des demandes d'accès de la structure.",
            "Si vous ne connaissez pas cette personne, refusez la demande et changez le mot de "
            "passe du compte technique sur Chorus Pro.",
        ],
        actions=[("Où traiter les demandes d'accès", base_url.rstrip("/") + JOIN_REQUESTS)],
    )


def join_answered(requester: User, structure: Structure, approved: bool, base_url: str) -> Letter:
    if approved:
        subject = f"Accès accordé à {structure.name}"
        said = (
            f"Un gestionnaire principal a accepté votre demande : vous avez désormais accès à "
            f"{_named(structure)} dans Relais."
        )
    else:
        subject = f"Demande d'accès à {structure.name} refusée"
        said = (
            f"Un gestionnaire principal de {_named(structure)} a refusé votre demande d'accès. "
            "Pour en savoir plus, adressez-vous à lui."
        )
    return Letter(
        to=requester.email,
        subject=subject,
        paragraphs=[said],
        actions=[("Ajouter une structure à Relais", base_url.rstrip("/") + GUIDE)],
    )
