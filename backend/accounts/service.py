"""Log in, rotate refresh tokens, log out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import AuthSession, RefreshToken, User
from backend.accounts.security import (
    hash_password,
    issue_access_token,
    needs_rehash,
    new_opaque_token,
    token_digest,
    verify_password,
)
from backend.accounts.signals import session_revoked
from backend.config import Config
from backend.db import utcnow
from backend.mail.addresses import normalize_email
from backend.schemas import CONTROL_CHARACTERS

LABEL_LENGTH = 200


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    token_type: str = "Bearer"


class InvalidRefreshToken(Exception):
    """The refresh token is unknown, expired, used or revoked."""


def authenticate(session: Session, email: str, password: str, *, config: Config) -> User | None:
    """The user these credentials belong to, or None; same work whether or not it exists."""
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if user.is_demo and not config.demo_mode:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(
    session: Session,
    user: User,
    *,
    config: Config,
    user_agent: str | None = None,
    now: dt.datetime | None = None,
) -> TokenPair:
    """Open a login session and hand out its first token pair."""
    now = now or utcnow()
    auth_session = AuthSession(
        user_id=user.id, user_agent=device_label(user_agent), created_at=now, last_used_at=now
    )
    session.add(auth_session)
    session.flush()
    return _issue(session, auth_session, config, now)


def rotate(
    session: Session, refresh_token: str, *, config: Config, now: dt.datetime | None = None
) -> TokenPair:
    """Trade a refresh token for a new pair; a reused token revokes its whole session.

    Except just after its trade (`refresh_reuse_grace`), while the pair it bought is still
    unused: the answer was lost (a page reloaded while it was on its way), so the token buys a
    new pair once more and the lost one is spent. Should a thief have replayed it instead, the
    rightful holder's next trade of the spent token revokes the session all the same."""
    now = now or utcnow()
    stored = session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == token_digest(refresh_token))
        .with_for_update()
    )
    if stored is None:
        raise InvalidRefreshToken
    auth_session = stored.session
    if stored.used_at is not None:
        lost = _lost_answer(session, stored, config, now)
        if lost is None:
            # Someone replays a token already traded: assume theft, end the session.
            revoke(session, auth_session, "refresh token reused")
            session.commit()
            raise InvalidRefreshToken
        lost.used_at = lost.expires_at = now  # spent without a trade: never a grace of its own
    if auth_session.revoked_at is not None or stored.expires_at <= now:
        raise InvalidRefreshToken
    if not auth_session.user.active:  # a disabled account trades nothing, as it logs in nowhere
        raise InvalidRefreshToken
    if stored.used_at is None:  # a lost answer's token keeps the time of its first trade
        stored.used_at = now
    auth_session.last_used_at = now
    return _issue(session, auth_session, config, now)


def _lost_answer(
    session: Session, stored: RefreshToken, config: Config, now: dt.datetime
) -> RefreshToken | None:
    """The token `stored` was traded for, when that trade is recent and its answer was lost:
    it is the only token issued since in the session, and it is unused. A token spent by an
    earlier grace (expired at its spending) was never traded and has no grace."""
    assert stored.used_at is not None
    if stored.expires_at <= stored.used_at:
        return None
    if (now - stored.used_at).total_seconds() > config.refresh_reuse_grace:
        return None
    later = session.scalars(
        select(RefreshToken)
        .where(RefreshToken.session_id == stored.session_id, RefreshToken.id > stored.id)
        .with_for_update()
    ).all()
    if len(later) != 1 or later[0].used_at is not None:
        return None
    return later[0]


def revoke(session: Session, auth_session: AuthSession, reason: str = "logout") -> None:
    """End a login; what hangs on it (the devices it registered) follows in this transaction."""
    if auth_session.revoked_at is None:
        auth_session.revoked_at = utcnow()
        session_revoked.send(session, auth_session_id=auth_session.id, reason=reason)


def device_label(user_agent: str | None) -> str | None:
    """What a session's list shows of the device: its User-Agent, printable and bounded."""
    if not user_agent:
        return None
    label = " ".join(CONTROL_CHARACTERS.sub(" ", user_agent).split())
    return label[:LABEL_LENGTH] or None


def _issue(
    session: Session, auth_session: AuthSession, config: Config, now: dt.datetime
) -> TokenPair:
    token, digest = new_opaque_token("rt_")
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=digest,
            expires_at=now + dt.timedelta(seconds=config.refresh_token_ttl),
        )
    )
    access = issue_access_token(
        auth_session.user_id, auth_session.id, config.secret_key, config.access_token_ttl
    )
    return TokenPair(access, config.access_token_ttl, token, config.refresh_token_ttl)
