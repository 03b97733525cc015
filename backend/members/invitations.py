"""Invitations: a main manager invites an address with a role and, perhaps, services; the
e-mailed link makes its holder a member.

The link holds a random token; the database keeps its SHA-256 digest. Accepting takes the
structure's lock (backend/members/service.py), then claims the invitation with one
conditional UPDATE: two acceptances at once make one membership, and the other is told the
invitation has served. The link proves the address, so a new account made from it needs no
confirmation; an existing account must be the invited address's.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Update, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from backend.accounts.models import Membership, Role, User
from backend.accounts.roles import Action
from backend.accounts.security import new_opaque_token, token_digest
from backend.mail.addresses import normalize_email
from backend.members.models import Invitation
from backend.members.service import MembersError, acting, lock_structure, services_of

REFUSALS = {
    "invalid": "Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en entier.",
    "expired": "Cette invitation a expiré. Demandez à un gestionnaire principal de la structure "
    "de vous inviter à nouveau.",
    "revoked": "Cette invitation a été annulée par un gestionnaire principal de la structure.",
    "used": "Cette invitation a déjà été acceptée : connectez-vous à Relais pour retrouver la "
    "structure.",
}


class InvitationRefused(MembersError):
    """A link that cannot be used; `reason` is invalid, expired, revoked or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSALS[reason])
        self.reason = reason


class InvitationNotFound(MembersError):
    def __init__(self) -> None:
        super().__init__("Invitation introuvable ou déjà traitée.")


class AlreadyMember(MembersError):
    def __init__(self, email: str) -> None:
        super().__init__(f"{email} est déjà membre de la structure.")


class WrongAccount(MembersError):
    """Logged in as someone else than the invited address."""

    def __init__(self, email: str) -> None:
        super().__init__(
            f"Cette invitation a été envoyée à {email} : connectez-vous avec le compte de cette "
            "adresse pour l'accepter."
        )


class AccountExists(MembersError):
    def __init__(self) -> None:
        super().__init__(
            "Un compte Relais existe déjà pour cette adresse : connectez-vous pour accepter "
            "l'invitation."
        )


def invite(
    session: Session,
    *,
    actor_id: int,
    structure_id: int,
    email: str,
    role: Role,
    service_ids: list[int],
    lifetime: dt.timedelta,
    now: dt.datetime,
) -> tuple[Invitation, str]:
    """A new invitation and its token (for the e-mail, never stored); an earlier pending
    invitation of the same address to the same structure no longer works."""
    acting(session, actor_id, structure_id, Action.INVITE)
    email = normalize_email(email)
    member = select(Membership.id).join(User, User.id == Membership.user_id)
    if session.scalar(member.where(Membership.structure_id == structure_id, User.email == email)):
        raise AlreadyMember(email)
    services = services_of(session, structure_id, service_ids)
    session.execute(
        _pending(now)
        .where(Invitation.structure_id == structure_id, Invitation.email == email)
        .values(revoked_at=now)
    )
    token, digest = new_opaque_token()
    invitation = Invitation(
        structure_id=structure_id, email=email, role=role, token_hash=digest,
        invited_by_id=actor_id, created_at=now, expires_at=now + lifetime, services=services,
    )  # fmt: skip
    session.add(invitation)
    session.flush()
    return invitation, token


def pending(session: Session, structure_id: int, now: dt.datetime) -> list[Invitation]:
    """Invitations not yet accepted, revoked nor expired, newest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(Invitation.structure_id == structure_id)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .where(Invitation.expires_at > now)
            .options(selectinload(Invitation.services), selectinload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def revoke(
    session: Session, *, actor_id: int, structure_id: int, invitation_id: int, now: dt.datetime
) -> None:
    """The invitation's link no longer works."""
    acting(session, actor_id, structure_id, Action.INVITE)
    result = session.execute(
        _pending(now)
        .where(Invitation.id == invitation_id, Invitation.structure_id == structure_id)
        .values(revoked_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise InvitationNotFound


def find(session: Session, token: str, now: dt.datetime) -> Invitation:
    """The usable invitation of this token, or InvitationRefused."""
    invitation = session.scalar(
        select(Invitation)
        .where(Invitation.token_hash == token_digest(token))
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise InvitationRefused("invalid")
    if invitation.accepted_at is not None:
        raise InvitationRefused("used")
    if invitation.revoked_at is not None:
        raise InvitationRefused("revoked")
    if invitation.expires_at <= now:
        raise InvitationRefused("expired")
    return invitation


def accept(session: Session, *, token: str, user: User, now: dt.datetime) -> Membership:
    """The logged-in invitee joins; their account must be the invited address's."""
    invitation = find(session, token, now)
    if normalize_email(user.email) != invitation.email:
        raise WrongAccount(invitation.email)
    return _join(session, invitation, user, token, now)


def sign_up(
    session: Session, *, token: str, full_name: str, password_hash: str, now: dt.datetime
) -> Membership:
    """A new account for the invited address (proven by the link), and its membership."""
    invitation = find(session, token, now)
    if session.scalar(select(User.id).where(User.email == invitation.email)) is not None:
        # Perhaps made from this very invitation since it was read: then say so.
        find(session, token, now)
        raise AccountExists
    user = User(email=invitation.email, full_name=full_name.strip(), password_hash=password_hash)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        # The address got an account at this very moment: most likely from this very
        # invitation, opened twice at once; then say so rather than « account exists ».
        find(session, token, now)
        raise AccountExists from exc
    return _join(session, invitation, user, token, now)


def forget_address(session: Session, email: str) -> int:
    """Delete every invitation sent to this address (its owner's account is being erased);
    the number deleted."""
    result = session.execute(
        delete(Invitation)
        .where(Invitation.email == normalize_email(email))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _join(
    session: Session, invitation: Invitation, user: User, token: str, now: dt.datetime
) -> Membership:
    if lock_structure(session, invitation.structure_id) is None:
        raise InvitationRefused("invalid")  # its structure was erased meanwhile
    claimed = session.execute(
        _pending(now).where(Invitation.id == invitation.id).values(accepted_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        find(session, token, now)  # says why: used, revoked or expired meanwhile
        raise InvitationRefused("used")
    already = select(Membership.id).where(
        Membership.structure_id == invitation.structure_id, Membership.user_id == user.id
    )
    if session.scalar(already) is not None:  # joined another way meanwhile
        raise AlreadyMember(user.email)
    membership = Membership(
        user_id=user.id, structure_id=invitation.structure_id, role=invitation.role,
        services=list(invitation.services),
    )  # fmt: skip
    session.add(membership)
    session.execute(
        update(Invitation).where(Invitation.id == invitation.id).values(accepted_by_id=user.id)
    )
    session.flush()
    return membership


def _pending(now: dt.datetime) -> Update:
    """An UPDATE of invitations still pending at `now`."""
    return (
        update(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .where(Invitation.expires_at > now)
        .execution_options(synchronize_session=False)
    )
