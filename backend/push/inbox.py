"""The inbox: what a phone that missed a push still finds, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlakeyset import select_page
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from backend.accounts.models import Membership
from backend.paging import InvalidCursor, decode_cursor, encode_cursor
from backend.push.models import Notification

__all__ = ["InboxPage", "InvalidCursor", "mark_all_read", "mark_read", "page"]


def visible(user_id: int) -> ColumnElement[bool]:
    """The user's own, not superseded, of structures they still belong to (or of none)."""
    memberships = select(Membership.structure_id).where(Membership.user_id == user_id)
    return (
        (Notification.user_id == user_id)
        & Notification.superseded_by_id.is_(None)
        & or_(Notification.structure_id.is_(None), Notification.structure_id.in_(memberships))
    )


def _unread(user_id: int) -> Select[Any]:
    return (
        select(func.count())
        .select_from(Notification)
        .where(visible(user_id), Notification.read_at.is_(None))
    )


@dataclass
class InboxPage:
    items: list[Notification]
    unread_count: int
    next_cursor: str | None


def page(
    session: Session, user_id: int, *, unread: bool, limit: int, cursor: str | None
) -> InboxPage:
    """One keyset page, newest first; raises InvalidCursor on a bad cursor."""
    query: Select[Any] = select(Notification).where(visible(user_id))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    marker = decode_cursor(cursor) if cursor else None
    rows = select_page(session, query, per_page=limit, page=marker)
    paging = rows.paging
    return InboxPage(
        items=[row[0] for row in rows],
        unread_count=int(session.scalar(_unread(user_id)) or 0),
        next_cursor=encode_cursor(paging.bookmark_next) if paging.has_next else None,
    )


def mark_read(session: Session, user_id: int, notification_id: int, now: dt.datetime) -> bool:
    """Mark one notification read (idempotent); False when the user cannot see it."""
    note = session.scalar(
        select(Notification).where(Notification.id == notification_id, visible(user_id))
    )
    if note is None:
        return False
    note.read_at = note.read_at or now
    return True


def mark_all_read(session: Session, user_id: int, now: dt.datetime) -> None:
    """Mark every unread notification of the user read."""
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
