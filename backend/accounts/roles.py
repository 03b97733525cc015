"""What each role may do in a structure: the one table of it.

The routes ask `may(role, action)`, the queries that pick whom to tell ask `roles_that_may`,
and the site's « Application » section prints `TABLE` (docs_site/hooks/roles.py), so the
rule, the code and the page cannot disagree. Which invoices a member sees is not a role's
matter: every role sees the structure's invoices, within the services it may be restricted to
(backend/accounts/visibility.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from backend.accounts.models import Role


class Action(enum.StrEnum):
    SEE_INVOICES = "see_invoices"
    DOWNLOAD_CLAIM_LETTER = "download_claim_letter"
    MANAGE_OWN_NOTIFICATIONS = "manage_own_notifications"
    MUTE_BILLING_NOTIFICATIONS = "mute_billing_notifications"
    SEE_SYNC = "see_sync"
    HEAR_OF_TECHNICAL_ACCOUNT = "hear_of_technical_account"
    UPDATE_TECHNICAL_ACCOUNT = "update_technical_account"
    DISCONNECT_STRUCTURE = "disconnect_structure"
    SEE_MEMBERS = "see_members"
    ANSWER_JOIN_REQUESTS = "answer_join_requests"
    INVITE = "invite"
    CHANGE_MEMBERS = "change_members"
    REMOVE_MEMBERS = "remove_members"
    LEAVE = "leave"


@dataclass(frozen=True)
class Row:
    """One line of the table: the action, as the site words it, and who may."""

    action: Action
    label: str
    roles: frozenset[Role]


ROLE_NAMES = {
    Role.MAIN_MANAGER: "Gestionnaire principal",
    Role.MANAGER: "Gestionnaire",
    Role.USER: "Utilisateur simple",
}

_PLURALS = {
    Role.MAIN_MANAGER: "gestionnaires principaux",
    Role.MANAGER: "gestionnaires",
    Role.USER: "utilisateurs simples",
}
_ALL = frozenset(Role)
_MANAGERS = frozenset({Role.MAIN_MANAGER, Role.MANAGER})
_MAIN = frozenset({Role.MAIN_MANAGER})

TABLE = (
    Row(
        Action.SEE_INVOICES,
        "Voir les factures de la structure et leurs statuts (dans la limite des services "
        "auxquels le membre est restreint)",
        _ALL,
    ),
    Row(Action.DOWNLOAD_CLAIM_LETTER, "Télécharger le courrier de réclamation des intérêts", _ALL),
    Row(Action.MANAGE_OWN_NOTIFICATIONS, "Régler ses propres notifications", _ALL),
    Row(
        Action.MUTE_BILLING_NOTIFICATIONS,
        "Couper les notifications de facturation (à traiter, paiements)",
        frozenset({Role.MANAGER, Role.USER}),
    ),
    Row(Action.SEE_SYNC, "Suivre la synchronisation avec Chorus Pro", _MANAGERS),
    Row(
        Action.HEAR_OF_TECHNICAL_ACCOUNT,
        "Être prévenu de l'expiration du mot de passe du compte technique",
        _MANAGERS,
    ),
    Row(
        Action.UPDATE_TECHNICAL_ACCOUNT,
        "Enregistrer le nouveau mot de passe du compte technique",
        _MAIN,
    ),
    Row(Action.DISCONNECT_STRUCTURE, "Déconnecter la structure de Chorus Pro", _MAIN),
    Row(Action.SEE_MEMBERS, "Voir les membres de la structure et leurs rôles", _MANAGERS),
    Row(Action.ANSWER_JOIN_REQUESTS, "Accepter ou refuser les demandes d'accès", _MAIN),
    Row(Action.INVITE, "Inviter des personnes (et suivre ou annuler leurs invitations)", _MAIN),
    Row(Action.CHANGE_MEMBERS, "Changer le rôle ou les services d'un membre", _MAIN),
    Row(Action.REMOVE_MEMBERS, "Retirer un membre de la structure", _MAIN),
    Row(Action.LEAVE, "Quitter la structure", _ALL),
)
_BY_ACTION = {row.action: row for row in TABLE}


def may(role: Role | None, action: Action) -> bool:
    """Whether a member of this role may do this; nobody may without a role."""
    return role is not None and role in _BY_ACTION[action].roles


def label(action: Action) -> str:
    """The action as the site and the refusals word it."""
    return _BY_ACTION[action].label


def roles_that_may(action: Action) -> tuple[Role, ...]:
    """The roles allowed an action, in the table's order of roles (for SQL `IN`)."""
    return tuple(role for role in Role if role in _BY_ACTION[action].roles)


def reserved_to(action: Action) -> str:
    """Who may, as an API answer's documentation says it: « Réservé aux gestionnaires… »."""
    allowed = roles_that_may(action)
    if len(allowed) == len(Role):
        return "Refusé au rôle qui ne le permet pas (aujourd'hui, tous les rôles le permettent)"
    names = [f"aux {_PLURALS[role]}" for role in allowed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    return f"Réservé {listed} de la structure"
