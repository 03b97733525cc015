"""A forgotten password, a new password, a new address.

A reset ends every session (whoever knew the old password is out); a change made while
logged in ends the other sessions and keeps the one that made it. A new address is used only
once a link sent there is opened, and the former address is told. Demo accounts change
neither: the demo's login must keep working for everyone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts import emailed, letters
from backend.accounts.emailed import Purpose
from backend.accounts.models import User
from backend.accounts.security import hash_password, verify_password
from backend.accounts.sessions import revoke_all
from backend.accounts.settings import AccountSettings
from backend.accounts.signup import check_password
from backend.mail import Mailer, deliver
from backend.mail.addresses import normalize_email


class DemoAccount(Exception):
    """Demo accounts keep their password and address."""


class WrongPassword(Exception):
    """The current password given to confirm a change is not the account's."""


class SameAddress(Exception):
    """The new address is the account's own."""


class AddressTaken(Exception):
    """The confirmed new address got another account meanwhile."""


def request_reset(
    session: Session, mailer: Mailer, settings: AccountSettings, email: str, *, now: dt.datetime
) -> None:
    """Send a reset link to an account's address; the answer is the same for any address."""
    email = normalize_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        session.rollback()  # nothing written: end the transaction before talking to SMTP
        deliver(mailer, settings.mail_from, letters.reset_without_account(settings, email))
        return
    if user.is_demo or not user.active:
        return  # a disabled account does not come back through its mailbox
    token = emailed.issue(
        session,
        Purpose.PASSWORD_RESET,
        email=email,
        user_id=user.id,
        lifetime=settings.reset_lifetime,
        now=now,
    )
    session.commit()
    deliver(mailer, settings.mail_from, letters.reset_password(settings, email, token, now))


def reset(
    session: Session,
    mailer: Mailer,
    settings: AccountSettings,
    token: str,
    password: str,
    *,
    now: dt.datetime,
) -> User:
    """Set the password of a reset link's account; every session ends."""
    link = emailed.find(session, Purpose.PASSWORD_RESET, token, now)
    user = link.user
    if user is None or not user.active:
        raise emailed.LinkRefused("invalid")
    if user.is_demo:
        raise DemoAccount
    check_password(settings, password, user.email, user.full_name)  # the link stays usable
    # The account's row first, as a change of password does: two links opened at once wait
    # for each other instead of each holding what the other needs.
    session.scalar(select(User.id).where(User.id == user.id).with_for_update())
    emailed.claim(session, link, now)
    _set_password(session, user, password, now)
    revoke_all(session, user.id, reason="password reset")
    session.commit()
    deliver(mailer, settings.mail_from, letters.password_changed(settings, user.email))
    return user


def change_password(
    session: Session,
    mailer: Mailer,
    settings: AccountSettings,
    user: User,
    current: str,
    new: str,
    *,
    current_session_id: int,
    now: dt.datetime,
) -> None:
    """A new password, given the current one; the other sessions end."""
    _check_identity(user, current)
    check_password(settings, new, user.email, user.full_name)
    _set_password(session, user, new, now)
    revoke_all(session, user.id, keep=current_session_id, reason="password changed")
    session.commit()
    deliver(mailer, settings.mail_from, letters.password_changed(settings, user.email))


def request_email_change(
    session: Session,
    mailer: Mailer,
    settings: AccountSettings,
    user: User,
    password: str,
    new_email: str,
    *,
    now: dt.datetime,
) -> None:
    """Send a confirmation link to the new address, unless another account has it (its owner
    is told instead); the answer is the same either way."""
    _check_identity(user, password)
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise SameAddress
    if session.scalar(select(User.id).where(User.email == new_email)) is not None:
        session.rollback()  # nothing written: end the transaction before talking to SMTP
        deliver(mailer, settings.mail_from, letters.email_taken(settings, new_email))
        return
    emailed.void(session, Purpose.EMAIL_CHANGE, user.id, now)
    token = emailed.issue(
        session,
        Purpose.EMAIL_CHANGE,
        email=new_email,
        user_id=user.id,
        lifetime=settings.email_change_lifetime,
        now=now,
    )
    session.commit()
    letter = letters.confirm_new_email(settings, new_email, user.full_name, token, now)
    deliver(mailer, settings.mail_from, letter)


def confirm_email_change(
    session: Session, mailer: Mailer, settings: AccountSettings, token: str, *, now: dt.datetime
) -> User:
    """Move the account to the address the link was sent to; the former one is told."""
    link = emailed.consume(session, Purpose.EMAIL_CHANGE, token, now)
    user = link.user
    if user is None or not user.active:
        raise emailed.LinkRefused("invalid")
    if user.is_demo:
        raise DemoAccount
    taken = session.scalar(select(User.id).where(User.email == link.email, User.id != user.id))
    if taken is not None:
        session.rollback()
        raise AddressTaken
    former, user.email = user.email, link.email
    # Reset links went to the former address: they no longer open this account.
    emailed.void(session, Purpose.PASSWORD_RESET, user.id, now)
    try:
        session.commit()
    except IntegrityError as exc:  # the address was taken at the same moment
        session.rollback()
        raise AddressTaken from exc
    deliver(mailer, settings.mail_from, letters.email_changed(settings, former, user.email))
    return user


def _check_identity(user: User, password: str) -> None:
    if user.is_demo:
        raise DemoAccount
    if not verify_password(user.password_hash, password):
        raise WrongPassword


def _set_password(session: Session, user: User, password: str, now: dt.datetime) -> None:
    user.password_hash = hash_password(password)
    emailed.void(session, Purpose.PASSWORD_RESET, user.id, now)
