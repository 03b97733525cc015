"""A structure's members: changing a role or services, removing someone, leaving.

The invariant lives here: a structure that has members always has a main manager. Every
change locks the structure's row first (SELECT … FOR UPDATE on PostgreSQL; SQLite writes one
transaction at a time), re-reads who may act under that lock, makes the change, then checks
the invariant (`ensure_main_manager_remains`) before the caller commits. Two main managers
demoting each other at once therefore take turns: the second finds the first change made.

When the last member leaves, nobody may see the structure's data any more: its technical
account is forgotten, its sync stops, and the structure is deleted with everything that
hangs from it (invoices, history, notifications, join requests, invitations). Whoever proves
its technical account again starts afresh.

Callers: the members' routes, and the deletion of an account (GDPR), which calls `leave` for
each structure after `handover_needed` said none blocks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from backend.accounts.models import Membership, RecipientService, Role, Structure, User
from backend.accounts.roles import Action, may
from backend.invoices.models import Invoice
from backend.onboarding.service import disconnect


class MembersError(Exception):
    """A refused change; the message is French, for the person who asked."""


class NotMember(MembersError):
    """The person is not (or no longer) a member of that structure."""

    def __init__(self) -> None:
        super().__init__("Cette personne n'est pas membre de la structure.")


class NotAllowed(MembersError):
    """The person's role does not allow it (perhaps changed a moment ago)."""

    def __init__(self) -> None:
        super().__init__("Votre rôle dans la structure ne permet pas cette action.")


class LastMainManager(MembersError):
    """The change would leave members without a main manager."""

    def __init__(self) -> None:
        super().__init__(
            "La structure doit garder au moins un gestionnaire principal : nommez d'abord un "
            "autre membre gestionnaire principal."
        )


class UnknownServices(MembersError):
    """Services that are not the structure's."""

    def __init__(self) -> None:
        super().__init__(
            "Ces services ne sont pas ceux de la structure : choisissez parmi les services "
            "destinataires de ses factures."
        )


@dataclass(frozen=True)
class Departure:
    """Who left which structure, with which role; `erased` when they were its last member."""

    structure_id: int
    structure_name: str
    user_id: int
    role: Role
    erased: bool


def lock_structure(session: Session, structure_id: int) -> Structure | None:
    """The structure, its row locked until the transaction ends (None if gone)."""
    return session.scalar(
        select(Structure)
        .where(Structure.id == structure_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def ensure_main_manager_remains(session: Session, structure_id: int) -> None:
    """LastMainManager unless the structure has a main manager or no members at all.

    Call it with the structure locked, after the change (it flushes the session)."""
    session.flush()
    members, main = session.execute(
        select(
            func.count(Membership.id),
            func.count(Membership.id).filter(Membership.role == Role.MAIN_MANAGER),
        ).where(Membership.structure_id == structure_id)
    ).one()
    if members and not main:
        raise LastMainManager


def leave(session: Session, *, user_id: int, structure_id: int) -> Departure:
    """The person leaves the structure; its last member's departure erases it.

    NotMember if they do not belong to it, LastMainManager if they are its only main manager
    and others remain. The caller commits (or rolls back on an error)."""
    structure = lock_structure(session, structure_id)
    membership = _membership(session, structure_id, user_id)
    if structure is None or membership is None:
        raise NotMember
    return _depart(session, structure, membership)


def remove(session: Session, *, actor_id: int, structure_id: int, user_id: int) -> Departure:
    """A main manager removes a member (themselves included: that is leaving)."""
    structure = acting(session, actor_id, structure_id, Action.REMOVE_MEMBERS)
    membership = _membership(session, structure_id, user_id)
    if membership is None:
        raise NotMember
    return _depart(session, structure, membership)


def change(
    session: Session,
    *,
    actor_id: int,
    structure_id: int,
    user_id: int,
    role: Role | None = None,
    service_ids: Iterable[int] | None = None,
) -> tuple[Membership, Role]:
    """Give a member another role and/or services (empty: every service); returns the
    membership and its former role."""
    acting(session, actor_id, structure_id, Action.CHANGE_MEMBERS)
    membership = _membership(session, structure_id, user_id)
    if membership is None:
        raise NotMember
    former = membership.role
    if role is not None:
        membership.role = role
    if service_ids is not None:
        membership.services = services_of(session, structure_id, service_ids)
    ensure_main_manager_remains(session, structure_id)
    return membership, former


def handover_needed(session: Session, user_id: int) -> list[Structure]:
    """The structures where this person is the only main manager of other members: they
    must name another main manager before leaving (or deleting their account)."""
    mine = (
        select(Membership.structure_id)
        .where(Membership.user_id == user_id, Membership.role == Role.MAIN_MANAGER)
        .scalar_subquery()
    )
    others = (
        select(Membership.structure_id)
        .where(Membership.structure_id.in_(mine), Membership.user_id != user_id)
        .group_by(Membership.structure_id)
        .having(func.count(Membership.id).filter(Membership.role == Role.MAIN_MANAGER) == 0)
    )
    return list(session.scalars(select(Structure).where(Structure.id.in_(others))))


def structure_services(session: Session, structure_id: int) -> list[RecipientService]:
    """The recipients' services the structure's invoices went to: what a member may be
    restricted to."""
    used = select(Invoice.service_id).where(
        Invoice.structure_id == structure_id, Invoice.service_id.is_not(None)
    )
    return list(
        session.scalars(
            select(RecipientService)
            .where(RecipientService.id.in_(used))
            .order_by(RecipientService.name, RecipientService.id)
        )
    )


def services_of(
    session: Session, structure_id: int, service_ids: Iterable[int]
) -> list[RecipientService]:
    """These services, all the structure's, or UnknownServices."""
    wanted = set(service_ids)
    found = [s for s in structure_services(session, structure_id) if s.id in wanted]
    if len(found) != len(wanted):
        raise UnknownServices
    return found


def acting(session: Session, actor_id: int, structure_id: int, action: Action) -> Structure:
    """The structure, locked, once the actor's role — read under the lock — allows it."""
    structure = lock_structure(session, structure_id)
    actor = _membership(session, structure_id, actor_id)
    if structure is None or actor is None:
        raise NotMember
    if not may(actor.role, action):
        raise NotAllowed
    return structure


def _membership(session: Session, structure_id: int, user_id: int) -> Membership | None:
    return session.scalar(
        select(Membership)
        .where(Membership.structure_id == structure_id, Membership.user_id == user_id)
        .execution_options(populate_existing=True)
    )


def _depart(session: Session, structure: Structure, membership: Membership) -> Departure:
    departure = Departure(structure.id, structure.name, membership.user_id, membership.role, False)
    session.delete(membership)
    session.flush()
    if session.scalar(select(Membership.id).where(Membership.structure_id == structure.id)):
        ensure_main_manager_remains(session, structure.id)
        return departure
    _erase(session, structure.id)
    return replace(departure, erased=True)


def _erase(session: Session, structure_id: int) -> None:
    """Nobody is left to see it: forget the technical account, stop the sync, delete the
    structure (its rows go with it: every foreign key to it cascades)."""
    disconnect(session, structure_id)
    session.execute(delete(Structure).where(Structure.id == structure_id))
    session.expire_all()


def members(session: Session, structure_id: int) -> list[Membership]:
    """The structure's members, main managers first, then by name."""
    order = {Role.MAIN_MANAGER: 0, Role.MANAGER: 1, Role.USER: 2}
    found = session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.structure_id == structure_id)
        .options(contains_eager(Membership.user), selectinload(Membership.services))
        .order_by(User.full_name, User.id)
    ).all()
    return sorted(found, key=lambda m: order[m.role])
