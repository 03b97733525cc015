"""A route's question « may the current user do this in that structure? », answered from the
roles table (backend/accounts/roles.py): 404 to outsiders, 403 with the reason to members."""

from __future__ import annotations

from backend.accounts.auth import current_scope
from backend.accounts.roles import ROLE_NAMES, Action, label, may
from backend.accounts.scope import Grant
from backend.api import abort


def refusal(grant: Grant, action: Action) -> str:
    """Why a member's role does not allow this, in French."""
    what = label(action)
    what = what[0].lower() + what[1:]
    of = "d'" if what[0] in "aeiouéèêâîôû" else "de "
    role = ROLE_NAMES[grant.role].lower()
    return f"Votre rôle dans la structure ({role}) ne permet pas {of}{what}."


def require(structure_id: int, action: Action) -> Grant:
    """The current user's grant on the structure, if their role allows the action."""
    grant = current_scope().grant(structure_id)
    if grant is None:
        abort(404)
    if not may(grant.role, action):
        abort(403, message=refusal(grant, action))
    return grant
