"""A person's login sessions: which are open, and ending one, the others, or all of them.

Each ends through `service.revoke`, as a logout does: the `session_revoked` signal takes the
devices it registered along, and on PostgreSQL the update notifies every worker's
authentication cache (trigger of migration 0008), so its tokens stop working at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from backend.accounts.models import AuthSession
from backend.accounts.service import revoke


@dataclass(frozen=True)
class OpenSession:
    id: int
    device: str | None
    created_at: dt.datetime
    last_used_at: dt.datetime
    current: bool


def _open(user_id: int, now: dt.datetime, refresh_ttl: int) -> ColumnElement[bool]:
    """Not revoked, and refreshed recently enough that its refresh token may still work."""
    last = func.coalesce(AuthSession.last_used_at, AuthSession.created_at)
    since = now - dt.timedelta(seconds=refresh_ttl)
    return and_(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), last > since)


def list_open(
    session: Session, user_id: int, current_id: int, *, now: dt.datetime, refresh_ttl: int
) -> list[OpenSession]:
    """The user's open sessions, the most recently used first."""
    rows = session.scalars(
        select(AuthSession).where(_open(user_id, now, refresh_ttl)).order_by(AuthSession.id.desc())
    ).all()
    found = [
        OpenSession(
            id=row.id,
            device=row.user_agent,
            created_at=row.created_at,
            last_used_at=row.last_used_at or row.created_at,
            current=row.id == current_id,
        )
        for row in rows
    ]
    return sorted(found, key=lambda s: (s.last_used_at, s.id), reverse=True)


def revoke_one(
    session: Session, user_id: int, session_id: int, *, now: dt.datetime, refresh_ttl: int
) -> bool:
    """End one of the user's open sessions; False when it is not one (another's, ended)."""
    target = session.scalar(
        select(AuthSession).where(
            AuthSession.id == session_id,
            _open(user_id, now, refresh_ttl),
        )
    )
    if target is None:
        return False
    revoke(session, target, "revoked by its user")
    return True


def revoke_all(
    session: Session, user_id: int, *, keep: int | None = None, reason: str = "revoked"
) -> int:
    """End every session of the user but `keep`; how many were open."""
    query = select(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    ended = session.scalars(query.with_for_update()).all()
    for auth_session in ended:
        revoke(session, auth_session, reason)
    return len(ended)
