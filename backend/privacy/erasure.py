"""Deleting one's account (GDPR art. 17): the person's data goes, the structures' stays.

`authorise` proves it is the person (password, and the second factor's code when it is on,
checked and counted as at login), with the user's row locked so the same request twice at
once deletes once: the second finds no account. `erase` then, in this order:

1. refuses while the person is the only main manager of a structure with other members
   (`members.service.handover_needed`, the members' rule; they must name another first), or
   trains sessions (a session keeps its trainer: an administrator hands them over);
2. leaves each structure through `members.service.leave`: a structure whose last member
   they were is erased with its data; the others keep their invoices for their members;
3. cancels the address's training sign-ups to sessions not over (seats go on) and
   anonymises all its registrations (`trainings.forget`);
4. deletes the newsletter subscription of the address, the account's e-mailed links, the
   sign-ups to the address not yet confirmed and every invitation to the address
   (`members.invitations.forget_address`);
5. deletes the user: the database cascades to the login sessions and refresh tokens, second
   factor and recovery codes, devices and their pushes, notification settings, preferences
   and inbox, join requests; answers and invitations the person gave keep their date, not
   their name. On
   PostgreSQL the deletions notify every worker's authentication cache (migration 0008),
   so the old tokens stop working at once.

What each table holds and what happens to it: the inventory in backend/privacy/export.py.
The caller commits, then sends `letters.account_deleted` to the address (its last use).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import Session

from backend.accounts import twofactor
from backend.accounts.emailed import AccountLink
from backend.accounts.models import Membership, Structure, User
from backend.accounts.security import verify_password
from backend.announcements.models import NewsletterSubscription
from backend.members import invitations
from backend.members.service import LastMainManager, NotMember, handover_needed, leave
from backend.trainings import forget as trainings_forget
from backend.trainings.models import Registration, TrainingSession
from backend.trainings.settings import TrainingSettings


class AccountGone(Exception):
    """The account no longer exists (deleted a moment ago by the same request)."""


class DemoAccount(Exception):
    """Demo accounts are shared by everyone: nobody deletes them."""


class WrongPassword(Exception):
    """The password is not the account's."""


class CodeRequired(Exception):
    """The account has two-factor authentication on and no code came with the request."""


class HandOverFirst(Exception):
    """The person is the only main manager of structures that have other members."""

    def __init__(self, structures: list[Structure]) -> None:
        self.names = sorted(s.name for s in structures)
        quoted = ", ".join(f"« {name} »" for name in self.names)
        which = "ces structures, qui ont" if len(self.names) > 1 else "cette structure, qui a"
        super().__init__(
            f"Vous êtes le seul gestionnaire principal de {which} d'autres membres : {quoted}. "
            "Nommez d'abord un autre membre gestionnaire principal, puis supprimez votre compte."
        )


class TrainerWithSessions(Exception):
    """The person trains sessions, which must keep a trainer."""

    def __init__(self) -> None:
        super().__init__(
            "Vous animez des sessions de formation : demandez à un administrateur de les confier "
            "à un autre formateur, puis supprimez votre compte."
        )


@dataclass(frozen=True)
class Erased:
    """What went with the account: for the confirmation e-mail and the answer."""

    email: str
    full_name: str
    structures_left: list[str] = field(default_factory=list)
    structures_erased: list[str] = field(default_factory=list)
    registrations: int = 0
    newsletter: bool = False
    promoted: list[Registration] = field(default_factory=list)


def authorise(
    session: Session,
    user_id: int,
    password: str,
    code: str | None,
    *,
    key: str,
    policy: twofactor.Policy,
    now: dt.datetime,
) -> User:
    """The account, locked, once the password (and the code, when 2FA is on) prove it.

    A wrong code counts against the second factor's lockout (twofactor.InvalidCode, Locked):
    the caller commits that before answering."""
    # FOR NO KEY UPDATE (PostgreSQL): a second deletion waits here, while rows that merely
    # point at the user (a notification the sync writes meanwhile) are not held up.
    user = session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if user is None:
        raise AccountGone
    if user.is_demo:
        raise DemoAccount
    if not verify_password(user.password_hash, password):
        raise WrongPassword
    factor = twofactor.enabled(session, user.id)
    if factor is not None:
        if not code:
            raise CodeRequired
        twofactor.check(session, factor, code, key, policy, now=now)
    return user


def erase(session: Session, user: User, *, now: dt.datetime, settings: TrainingSettings) -> Erased:
    """Everything of the person's, in one transaction the caller commits (or rolls back)."""
    blocking = handover_needed(session, user.id)
    if blocking:
        raise HandOverFirst(blocking)
    if session.scalar(select(exists().where(TrainingSession.trainer_id == user.id))):
        raise TrainerWithSessions
    email, full_name, user_id = user.email, user.full_name, user.id
    left, erased = _leave_all(session, user_id)
    registrations = len(
        session.scalars(select(Registration.id).where(Registration.email == email)).all()
    )
    promoted = trainings_forget.forget_address(session, email, now=now, settings=settings)
    newsletter = session.execute(
        delete(NewsletterSubscription).where(NewsletterSubscription.email == email)
    )
    _delete_account(session, user_id, email)
    return Erased(
        email,
        full_name,
        structures_left=left,
        structures_erased=erased,
        registrations=registrations,
        newsletter=bool(getattr(newsletter, "rowcount", 0)),
        promoted=promoted,
    )


def _delete_account(session: Session, user_id: int, email: str) -> None:
    """The links and invitations naming the address, then the user (the database cascades)."""
    mine = or_(
        AccountLink.user_id == user_id,
        AccountLink.user_id.is_(None) & (AccountLink.email == email),
    )
    session.execute(delete(AccountLink).where(mine))
    invitations.forget_address(session, email)
    session.execute(delete(User).where(User.id == user_id))
    session.expire_all()


def _leave_all(session: Session, user_id: int) -> tuple[list[str], list[str]]:
    """Leave every structure (the members' rule); (names left, names erased)."""
    left: list[str] = []
    erased: list[str] = []
    structure_ids = session.scalars(
        select(Membership.structure_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.structure_id)
    ).all()
    for structure_id in structure_ids:
        try:
            departure = leave(session, user_id=user_id, structure_id=structure_id)
        except NotMember:
            continue  # removed by a main manager a moment ago
        except LastMainManager:
            # Another main manager stepped down since `handover_needed` looked.
            structure = session.get(Structure, structure_id)
            raise HandOverFirst([structure] if structure else []) from None
        (erased if departure.erased else left).append(departure.structure_name)
    return sorted(left), sorted(erased)
