"""What no longer serves is forgotten: the daily job behind the privacy page's durations.

Each duration here is printed on the site's privacy page (docs_site/hooks/privacy.py), so the
page says what this job does. What is still in use is never touched: open sessions, active
devices, waiting join requests, invitations still valid.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Delete, and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from backend.accounts.emailed import KEPT_AFTER_EXPIRY
from backend.accounts.models import AuthSession, RefreshToken
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest, JoinState
from backend.push.models import Device, Notification

log = logging.getLogger(__name__)

# A session ended (closed, or its last refresh token expired) is kept this long: the person's
# « Sessions ouvertes » and an administrator's inquiry can still explain a recent sign-out.
ENDED_SESSIONS_KEPT = dt.timedelta(days=30)
# Inbox entries: a year of history, then forgotten (the invoices keep their own history).
NOTIFICATIONS_KEPT = dt.timedelta(days=365)
# A device that no longer receives pushes (signed out, refused by FCM, unseen for months)
# is forgotten, push token included, this long after it was last seen.
INACTIVE_DEVICES_KEPT = dt.timedelta(days=30)
# A join request once answered (accepted or refused).
ANSWERED_REQUESTS_KEPT = dt.timedelta(days=90)


def forget(session: Session, now: dt.datetime) -> dict[str, int]:
    """Delete what has outlived its use; how many rows of each kind went."""
    counts = {
        "sessions": _ended_sessions(session, now - ENDED_SESSIONS_KEPT),
        "refresh_tokens": _delete(
            session, delete(RefreshToken).where(RefreshToken.expires_at < now - ENDED_SESSIONS_KEPT)
        ),
        "notifications": _delete(
            session, delete(Notification).where(Notification.created_at < now - NOTIFICATIONS_KEPT)
        ),
        "devices": _delete(
            session,
            delete(Device).where(
                Device.active.is_(False), Device.last_seen_at < now - INACTIVE_DEVICES_KEPT
            ),
        ),
        # Accepted, cancelled or unused: an invitation goes a week after its link expired,
        # as the account links do.
        "invitations": _delete(
            session, delete(Invitation).where(Invitation.expires_at < now - KEPT_AFTER_EXPIRY)
        ),
        "join_requests": _delete(
            session,
            delete(JoinRequest).where(
                JoinRequest.state != JoinState.PENDING,
                JoinRequest.decided_at < now - ANSWERED_REQUESTS_KEPT,
            ),
        ),
    }
    gone = {kind: count for kind, count in counts.items() if count}
    if gone:
        log.info("retention: forgot %s", ", ".join(f"{n} {kind}" for kind, n in gone.items()))
    return counts


def _ended_sessions(session: Session, cutoff: dt.datetime) -> int:
    """Sessions closed before `cutoff`, or whose every refresh token expired before it."""
    live_token = exists().where(
        RefreshToken.session_id == AuthSession.id, RefreshToken.expires_at >= cutoff
    )
    ended = select(AuthSession.id).where(
        or_(
            AuthSession.revoked_at < cutoff,
            and_(AuthSession.revoked_at.is_(None), AuthSession.created_at < cutoff, ~live_token),
        )
    )
    ids = list(session.scalars(ended))
    if not ids:
        return 0
    return _delete(session, delete(AuthSession).where(AuthSession.id.in_(ids)))


def _delete(session: Session, statement: Delete) -> int:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
