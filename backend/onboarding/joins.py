"""Join requests: filed by proving a structure's technical account, answered by its main
managers. Everyone concerned is told in the inbox (and on their phones) and by e-mail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from backend.accounts.models import Membership, Role, Structure, User
from backend.accounts.roles import Action, roles_that_may
from backend.db import utcnow
from backend.mail import Letter
from backend.onboarding import letters
from backend.onboarding.models import JoinRequest, JoinState
from backend.push.broadcast import notify_users


class RequestNotFound(Exception):
    """No such request for this structure."""


class AlreadyDecided(Exception):
    """The request was answered already (by another main manager, perhaps)."""

    def __init__(self, request: JoinRequest) -> None:
        word = "acceptée" if request.state == JoinState.APPROVED else "refusée"
        super().__init__(f"Cette demande d'accès a déjà été {word}.")


def main_managers(session: Session, structure_id: int) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.structure_id == structure_id)
            .where(Membership.role.in_(roles_that_may(Action.ANSWER_JOIN_REQUESTS)))
            .where(User.active)
            .order_by(User.id)
        )
    )


def ask_to_join(
    session: Session, user: User, structure: Structure, *, base_url: str
) -> tuple[JoinRequest, list[Letter]]:
    """File (or file again after a refusal) a request; a pending one is left as it is."""
    request = _request_of(session, structure.id, user.id)
    if request is None:
        request = JoinRequest(structure_id=structure.id, user_id=user.id, state=JoinState.PENDING)
        try:
            with session.begin_nested():
                session.add(request)
        except IntegrityError:
            # The same person asked twice at once: one request.
            request = _request_of(session, structure.id, user.id)
            assert request is not None
            return request, []
    elif request.state == JoinState.PENDING:
        return request, []
    else:
        request.state, request.created_at = JoinState.PENDING, utcnow()
        request.decided_at = request.decided_by_id = None
    session.flush()
    managers = main_managers(session, structure.id)
    title = f"Demande d'accès à {structure.name}"
    body = f"{user.full_name} demande à rejoindre {structure.name} : acceptez ou refusez."
    notify_users(session, [m.id for m in managers], title, body, structure.id)
    mails = [letters.join_requested(m.email, user, structure, base_url) for m in managers]
    return request, mails


def pending_requests(session: Session, structure_id: int) -> list[JoinRequest]:
    return list(
        session.scalars(
            select(JoinRequest)
            .where(JoinRequest.structure_id == structure_id)
            .where(JoinRequest.state == JoinState.PENDING)
            .options(selectinload(JoinRequest.user))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def my_pending(session: Session, user_id: int) -> list[JoinRequest]:
    """The person's own requests still waiting for an answer (with their structure)."""
    return list(
        session.scalars(
            select(JoinRequest)
            .where(JoinRequest.user_id == user_id, JoinRequest.state == JoinState.PENDING)
            .options(selectinload(JoinRequest.structure))
            .order_by(JoinRequest.created_at, JoinRequest.id)
        )
    )


def decide(
    session: Session,
    structure_id: int,
    request_id: int,
    decider_id: int,
    role: Role | None,
    *,
    base_url: str,
) -> tuple[JoinRequest, list[Letter]]:
    """Approve (with a role) or refuse (role None) a pending request; the requester is told."""
    request = session.scalar(
        select(JoinRequest)
        .where(JoinRequest.id == request_id, JoinRequest.structure_id == structure_id)
        .with_for_update()
    )
    if request is None:
        raise RequestNotFound(request_id)
    if request.state != JoinState.PENDING:
        raise AlreadyDecided(request)
    request.state = JoinState.APPROVED if role is not None else JoinState.REFUSED
    request.decided_at, request.decided_by_id = utcnow(), decider_id
    member = session.scalar(
        select(Membership.id).where(
            Membership.structure_id == structure_id, Membership.user_id == request.user_id
        )
    )
    if role is not None and member is None:  # invited meanwhile: already in
        session.add(Membership(user_id=request.user_id, structure_id=structure_id, role=role))
    structure, user = request.structure, request.user
    approved = role is not None
    title = f"Accès à {structure.name} " + ("accordé" if approved else "refusé")
    body = (
        f"Vous avez désormais accès à {structure.name}."
        if approved
        else f"Votre demande d'accès à {structure.name} a été refusée."
    )
    notify_users(session, [user.id], title, body, structure_id if approved else None)
    session.flush()
    return request, [letters.join_answered(user, structure, approved, base_url)]


def _request_of(session: Session, structure_id: int, user_id: int) -> JoinRequest | None:
    return session.scalar(
        select(JoinRequest).where(
            JoinRequest.structure_id == structure_id, JoinRequest.user_id == user_id
        )
    )
