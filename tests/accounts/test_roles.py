"""The roles table: every action has its row, the questions asked of it, its French words."""

from __future__ import annotations

import pytest

from backend.accounts.guard import refusal
from backend.accounts.models import Role
from backend.accounts.roles import TABLE, Action, may, reserved_to, roles_that_may
from backend.accounts.scope import Grant

pytestmark = pytest.mark.nodb


def test_every_action_has_one_row() -> None:
    assert sorted(row.action for row in TABLE) == sorted(Action)


def test_who_may_what() -> None:
    assert may(Role.MAIN_MANAGER, Action.INVITE)
    assert not may(Role.MANAGER, Action.INVITE)
    assert may(Role.MANAGER, Action.SEE_SYNC) and not may(Role.USER, Action.SEE_SYNC)
    assert not may(Role.MAIN_MANAGER, Action.MUTE_BILLING_NOTIFICATIONS)
    assert not may(None, Action.LEAVE)
    assert roles_that_may(Action.SEE_MEMBERS) == (Role.MAIN_MANAGER, Role.MANAGER)


def test_every_role_sees_the_invoices() -> None:
    # Which invoices is a matter of services, not roles (backend/accounts/visibility.py
    # does not read roles): a row that denied some role would need code there.
    assert roles_that_may(Action.SEE_INVOICES) == tuple(Role)


def test_refusals_and_documentation_read_as_french() -> None:
    user = Grant(1, Role.USER, (), 0)
    assert refusal(user, Action.INVITE) == (
        "Votre rôle dans la structure (utilisateur simple) ne permet pas d'inviter des "
        "personnes (et suivre ou annuler leurs invitations)."
    )
    manager = Grant(1, Role.MANAGER, (), 0)
    assert refusal(manager, Action.DISCONNECT_STRUCTURE) == (
        "Votre rôle dans la structure (gestionnaire) ne permet pas de déconnecter la "
        "structure de Chorus Pro."
    )
    assert reserved_to(Action.INVITE) == "Réservé aux gestionnaires principaux de la structure"
    assert reserved_to(Action.SEE_SYNC) == (
        "Réservé aux gestionnaires principaux et aux gestionnaires de la structure"
    )
