"""Links sent by e-mail to manage an account: single-use, expiring, stored as a hash.

A sign-up, a password reset and a change of address each send one. The e-mail carries a
random token; the database keeps only its SHA-256 digest, with what the link is for and
until when it works. Opening it claims it with one conditional UPDATE, so two clicks at once
(or a replay) use it once.

A sign-up's link holds the account to create (name, argon2 hash of the chosen password): the
account exists only once its address is proven, and each link creates the account its own
sign-up asked for.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from backend.accounts.models import User
from backend.accounts.security import new_opaque_token, token_digest
from backend.db import Base, UTCDateTime, intpk, utcnow

# An expired link is kept this long (someone may still open it and be told it expired), then
# deleted with what it held; the privacy page quotes it.
KEPT_AFTER_EXPIRY = dt.timedelta(days=7)


class Purpose(enum.StrEnum):
    SIGN_UP = "sign_up"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"


class AccountLink(Base):
    """One e-mailed link: its token's digest, its purpose, its address and its lifetime."""

    __tablename__ = "account_links"

    id: Mapped[intpk]
    purpose: Mapped[Purpose] = mapped_column(
        Enum(Purpose, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Where the link was sent: the address to sign up with, or the new address.
    email: Mapped[str] = mapped_column(String(254), index=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    user: Mapped[User | None] = relationship()


class LinkRefused(Exception):
    """A link that cannot be used; `reason` is "invalid", "expired" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue(
    session: Session,
    purpose: Purpose,
    *,
    email: str,
    lifetime: dt.timedelta,
    now: dt.datetime,
    user_id: int | None = None,
    full_name: str | None = None,
    password_hash: str | None = None,
) -> str:
    """Store a new link and return its token (to put in the e-mail, never stored)."""
    token, digest = new_opaque_token()
    session.add(
        AccountLink(
            purpose=purpose,
            token_hash=digest,
            user_id=user_id,
            email=email,
            full_name=full_name,
            password_hash=password_hash,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def find(session: Session, purpose: Purpose, token: str, now: dt.datetime) -> AccountLink:
    """The usable link of this token, or LinkRefused (unknown, used or expired)."""
    link = session.scalar(
        select(AccountLink).where(
            AccountLink.token_hash == token_digest(token), AccountLink.purpose == purpose
        )
    )
    if link is None:
        raise LinkRefused("invalid")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now:
        raise LinkRefused("expired")
    return link


def claim(session: Session, link: AccountLink, now: dt.datetime) -> None:
    """Use the link once: a concurrent or earlier use wins, this one is refused."""
    result = session.execute(
        update(AccountLink)
        .where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise LinkRefused("used")
    link.used_at = now


def consume(session: Session, purpose: Purpose, token: str, now: dt.datetime) -> AccountLink:
    """Find the link and use it."""
    link = find(session, purpose, token, now)
    claim(session, link, now)
    return link


def void(session: Session, purpose: Purpose, user_id: int, now: dt.datetime) -> None:
    """The user's links of this purpose still unused no longer work."""
    session.execute(
        update(AccountLink)
        .where(
            AccountLink.purpose == purpose,
            AccountLink.user_id == user_id,
            AccountLink.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def prune(session: Session, now: dt.datetime, keep: dt.timedelta = KEPT_AFTER_EXPIRY) -> int:
    """Forget links expired for a week (a sign-up's password hash goes with them)."""
    result = session.execute(delete(AccountLink).where(AccountLink.expires_at < now - keep))
    return int(getattr(result, "rowcount", 0) or 0)
