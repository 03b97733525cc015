"""Each refusal of the members' domain as a French problem+json answer."""

from __future__ import annotations

from typing import NoReturn

from backend.api import abort
from backend.members import invitations as inv
from backend.members import service

PROBLEM = "urn:relais:problem:"
STATUSES: tuple[tuple[type[service.MembersError], int, str], ...] = (  # most precise first
    (service.NotMember, 404, "not-a-member"),
    (service.NotAllowed, 403, "role-not-allowed"),
    (service.LastMainManager, 409, "last-main-manager"),
    (service.UnknownServices, 422, "unknown-services"),
    (inv.InvitationNotFound, 404, "invitation-not-found"),
    (inv.AlreadyMember, 409, "already-member"),
    (inv.WrongAccount, 403, "invitation-for-another-address"),
    (inv.AccountExists, 409, "account-exists"),
)


def refuse(error: service.MembersError) -> NoReturn:
    """Abort with the error's status, type and French message."""
    if isinstance(error, inv.InvitationRefused):
        status = 409 if error.reason == "used" else 400
        abort(status, message=str(error), type=f"{PROBLEM}invitation-{error.reason}")
    for kind, status, name in STATUSES:
        if isinstance(error, kind):
            abort(status, message=str(error), type=PROBLEM + name)
    raise error
