"""The e-mails of membership: an invitation for the invitee, and a notice to a member whose
role changed or who was removed. Each says what happened and where to read about roles."""

from __future__ import annotations

import datetime as dt

from backend.accounts.models import RecipientService, Role, Structure
from backend.accounts.roles import ROLE_NAMES
from backend.links import LinkSettings, page_url
from backend.mail import Letter
from backend.timeutil import PARIS

INVITATION_PAGE = "/compte/invitation/"
ROLES_PAGE = "/application/membres/"


def _named(structure: Structure) -> str:
    return f"{structure.name} (SIRET {structure.siret})"


def _role(role: Role) -> str:
    return f"« {ROLE_NAMES[role].lower()} »"


def _services(services: list[RecipientService]) -> str:
    if not services:
        return "Vous verrez toutes les factures de la structure."
    names = ", ".join(s.name for s in services)
    return f"Vous verrez les factures adressées à ces services seulement : {names}."


def invitation(
    settings: LinkSettings,
    *,
    to: str,
    inviter: str,
    structure: Structure,
    role: Role,
    services: list[RecipientService],
    token: str,
    expires_at: dt.datetime,
) -> Letter:
    until = expires_at.astimezone(PARIS)
    return Letter(
        to=to,
        subject=f"Invitation à rejoindre {structure.name} dans Relais",
        paragraphs=[
            f"{inviter} vous invite à rejoindre {_named(structure)} dans Relais, l'application "
            f"qui suit les factures envoyées aux entités publiques, avec le rôle {_role(role)}.",
            _services(services),
            "Ouvrez le lien ci-dessous pour accepter : si vous n'avez pas encore de compte "
            "Relais, vous le créerez en choisissant votre nom et un mot de passe ; sinon, "
            "connectez-vous avec le compte de cette adresse.",
            f"Cette invitation sert une seule fois, jusqu'au {until:%d/%m/%Y à %H:%M} (heure "
            "de Paris).",
            "Si vous ne connaissez pas cette structure, ignorez ce message : sans votre accord, "
            "rien ne se passe.",
        ],
        actions=[
            ("Accepter l'invitation", page_url(settings, INVITATION_PAGE, token)),
            ("Les rôles dans Relais", settings.url(ROLES_PAGE)),
        ],
    )


def role_changed(
    settings: LinkSettings,
    *,
    to: str,
    structure: Structure,
    former: Role,
    role: Role,
    services: list[RecipientService],
) -> Letter:
    if former == role:
        said = (
            f"Un gestionnaire principal de {_named(structure)} a changé les services dont "
            "vous suivez les factures dans Relais."
        )
    else:
        said = (
            f"Un gestionnaire principal de {_named(structure)} a changé votre rôle dans Relais : "
            f"vous passez de {_role(former)} à {_role(role)}."
        )
    return Letter(
        to=to,
        subject=f"Votre rôle dans {structure.name} a changé",
        paragraphs=[
            said,
            _services(services),
            "Le changement vaut dès maintenant, sur tous vos appareils. Pour toute question, "
            "adressez-vous aux gestionnaires principaux de la structure.",
        ],
        actions=[("Ce que permet chaque rôle", settings.url(ROLES_PAGE))],
    )


def removed(settings: LinkSettings, *, to: str, structure: Structure) -> Letter:
    return Letter(
        to=to,
        subject=f"Vous ne faites plus partie de {structure.name} dans Relais",
        paragraphs=[
            f"Un gestionnaire principal de {_named(structure)} vous a retiré de la structure "
            "dans Relais : vous ne voyez plus ses factures et ne recevez plus ses notifications.",
            "Votre compte Relais reste ouvert, avec vos autres structures. Si vous pensez que "
            "c'est une erreur, adressez-vous aux gestionnaires principaux de la structure.",
        ],
        actions=[("Les rôles dans Relais", settings.url(ROLES_PAGE))],
    )
