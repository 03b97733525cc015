"""The daily retention job forgets what has outlived its use, and nothing still in use: each
kind of row just past its duration goes, the same kind just inside it stays."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from backend.accounts.emailed import KEPT_AFTER_EXPIRY
from backend.accounts.models import AuthSession, RefreshToken
from backend.db import db, utcnow
from backend.members.models import Invitation
from backend.onboarding.models import JoinRequest, JoinState
from backend.privacy import retention
from backend.push.models import Device, Notification
from tests.factories import StructureFactory, UserFactory
from tests.push.conftest import add_device, add_notification

DAY = dt.timedelta(days=1)


def _session(user_id: int, created: dt.datetime, *, revoked: dt.datetime | None = None,
             token_expires: dt.datetime | None = None) -> int:  # fmt: skip
    auth = AuthSession(user_id=user_id, created_at=created, revoked_at=revoked)
    db.session.add(auth)
    db.session.flush()
    if token_expires is not None:
        db.session.add(RefreshToken(
            session_id=auth.id, token_hash=f"{auth.id:064d}", expires_at=token_expires
        ))  # fmt: skip
    return auth.id


def _invitation(structure_id: int, email: str, expires: dt.datetime) -> int:
    invitation = Invitation(
        structure_id=structure_id, email=email, role="user", token_hash=email.ljust(64, "x"),
        expires_at=expires,
    )  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    return invitation.id


def _request(structure_id: int, user_id: int, state: JoinState, decided: dt.datetime | None) -> int:
    request = JoinRequest(
        structure_id=structure_id, user_id=user_id, state=state, decided_at=decided
    )
    db.session.add(request)
    db.session.flush()
    return request.id


def test_each_kind_goes_after_its_duration_and_not_before(app_ctx: Flask) -> None:
    now = utcnow()
    user = UserFactory()
    structure = StructureFactory()
    others = [UserFactory() for _ in range(4)]
    past = now - retention.ENDED_SESSIONS_KEPT - DAY
    within = now - retention.ENDED_SESSIONS_KEPT + DAY
    sessions = {
        "closed long ago": _session(user.id, past - DAY, revoked=past),
        "closed lately": _session(user.id, past - DAY, revoked=within),
        "token expired long ago": _session(user.id, past - DAY, token_expires=past),
        "token still valid": _session(user.id, past - DAY, token_expires=now + DAY),
        "open, new": _session(user.id, within),
    }
    notes = {
        "old": add_notification(user, structure, now - retention.NOTIFICATIONS_KEPT - DAY).id,
        "recent": add_notification(user, structure, now - retention.NOTIFICATIONS_KEPT + DAY).id,
    }
    devices = {
        "off long ago": add_device(user, active=False, last_seen_at=past).id,
        "off lately": add_device(user, active=False, last_seen_at=within).id,
        "on, unseen": add_device(user, active=True, last_seen_at=past).id,
    }
    invitations = {
        "expired long ago": _invitation(
            structure.id, "a@exemple.fr", now - KEPT_AFTER_EXPIRY - DAY
        ),
        "expired lately": _invitation(structure.id, "b@exemple.fr", now - KEPT_AFTER_EXPIRY + DAY),
        "valid": _invitation(structure.id, "c@exemple.fr", now + DAY),
    }
    answered = now - retention.ANSWERED_REQUESTS_KEPT
    requests = {
        "refused long ago": _request(structure.id, others[0].id, JoinState.REFUSED, answered - DAY),
        "approved long ago": _request(
            structure.id, others[1].id, JoinState.APPROVED, answered - DAY
        ),
        "refused lately": _request(structure.id, others[2].id, JoinState.REFUSED, answered + DAY),
        "waiting": _request(structure.id, others[3].id, JoinState.PENDING, None),
    }
    db.session.commit()

    counts = retention.forget(db.session, now)
    db.session.commit()

    def left(model: type, ids: dict[str, int]) -> set[str]:
        found = set(db.session.scalars(select(model.id).where(model.id.in_(ids.values()))))
        return {name for name, row_id in ids.items() if row_id in found}

    assert left(AuthSession, sessions) == {"closed lately", "token still valid", "open, new"}
    assert left(Notification, notes) == {"recent"}
    assert left(Device, devices) == {"off lately", "on, unseen"}
    assert left(Invitation, invitations) == {"expired lately", "valid"}
    assert left(JoinRequest, requests) == {"refused lately", "waiting"}
    assert counts["sessions"] == 2 and counts["notifications"] == 1 and counts["devices"] == 1
    assert counts["invitations"] == 1 and counts["join_requests"] == 2
    # The expired refresh token went with its session; the valid one stays.
    tokens = db.session.scalars(select(RefreshToken.session_id)).all()
    assert tokens == [sessions["token still valid"]]
    # Run again: nothing more goes.
    assert sum(retention.forget(db.session, now).values()) == 0
