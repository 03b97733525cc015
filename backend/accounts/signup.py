"""Creating an account: the sign-up sends a link, the account exists once it is opened.

The answer to a sign-up never says whether the address already has an account: the same
work is done either way (the password is hashed, one e-mail is sent), and the owner of an
address already in use is told that someone tried.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.accounts import emailed, letters, passwords
from backend.accounts.emailed import LinkRefused, Purpose
from backend.accounts.models import User
from backend.accounts.security import hash_password
from backend.accounts.settings import AccountSettings
from backend.mail import Mailer, deliver
from backend.mail.addresses import normalize_email


class AccountExists(Exception):
    """The address of a sign-up link got an account meanwhile (another sign-up's link)."""


def check_password(settings: AccountSettings, password: str, *personal: str) -> None:
    """WeakPassword unless the password follows the policy (length, zxcvbn score)."""
    passwords.check(
        password,
        min_length=settings.password_min_length,
        min_score=settings.password_min_score,
        personal=personal,
    )


def sign_up(
    session: Session,
    mailer: Mailer,
    settings: AccountSettings,
    *,
    email: str,
    password: str,
    full_name: str,
    now: dt.datetime,
) -> None:
    """Send the confirmation link, or tell the address's owner that someone tried."""
    email, full_name = normalize_email(email), full_name.strip()
    check_password(settings, password, email, full_name)
    password_hash = hash_password(password)  # either way: the time taken tells nothing
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        session.rollback()  # nothing written: end the transaction before talking to SMTP
        deliver(mailer, settings.mail_from, letters.sign_up_attempt(settings, email))
        return
    token = emailed.issue(
        session,
        Purpose.SIGN_UP,
        email=email,
        full_name=full_name,
        password_hash=password_hash,
        lifetime=settings.sign_up_lifetime,
        now=now,
    )
    session.commit()
    letter = letters.confirm_sign_up(settings, email, full_name, token, now)
    deliver(mailer, settings.mail_from, letter)


def confirm(session: Session, token: str, *, now: dt.datetime) -> User:
    """Create the account of a sign-up link.

    Other links of the same address then answer that the account exists: the unique address
    decides between two links opened at once (the second waits for the first, then fails),
    without locking each other's rows (that could deadlock)."""
    link = emailed.consume(session, Purpose.SIGN_UP, token, now)
    if session.scalar(select(User.id).where(User.email == link.email)) is not None:
        session.rollback()
        raise AccountExists
    assert link.full_name is not None and link.password_hash is not None
    user = User(email=link.email, full_name=link.full_name, password_hash=link.password_hash)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # another link of the same address, opened at once
        session.rollback()
        raise AccountExists from exc
    return user


__all__ = ["AccountExists", "LinkRefused", "check_password", "confirm", "sign_up"]
