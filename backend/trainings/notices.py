"""E-mails that must go out exactly once per registration: claim in the database, then send.

A notice row (unique per registration and kind) is inserted and committed before the
message is handed to the mail server, so a restarted scheduler, or a second one, never
sends it again. If the send fails with an error the claim is released and the next run
retries. The one window left: the process dies after the commit and before the mail server
accepted the message; that notice then stays claimed with `sent_at` empty and is not
retried (at most once), and `unsent_claims` lists it for an operator.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.db import insert_ignoring_conflicts
from backend.mail import Letter, Mailer, deliver
from backend.trainings import emails
from backend.trainings.models import (
    ACTIVE,
    Notice,
    Registration,
    SessionState,
    TrainingSession,
)
from backend.trainings.settings import TrainingSettings

log = logging.getLogger(__name__)
SESSION_CANCELLED = "session-cancelled"


def claim(session: Session, registration_id: int, kind: str, now: dt.datetime) -> bool:
    """Record the notice as ours and commit; False when it was already claimed."""
    row = {"registration_id": registration_id, "kind": kind, "claimed_at": now}
    won = insert_ignoring_conflicts(session, Notice.__table__, [row]) == 1
    session.commit()
    return won


def send_once(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    reg: Registration,
    kind: str,
    letter: Callable[[], Letter],
    now: dt.datetime,
) -> bool:
    """Claim, send, mark as sent; a failed send releases the claim for the next run."""
    if not claim(session, reg.id, kind, now):
        return False
    where = (Notice.registration_id == reg.id, Notice.kind == kind)
    if not deliver(mailer, settings.mail_from, letter()):
        session.execute(delete(Notice).where(*where))
        session.commit()
        return False
    notice = session.scalar(select(Notice).where(*where))
    if notice is not None:
        notice.sent_at = now
        session.commit()
    return True


def notify_cancelled(
    session: Session,
    mailer: Mailer,
    settings: TrainingSettings,
    *,
    now: dt.datetime,
    training_id: int | None = None,
) -> int:
    """Tell everyone signed up to a cancelled session, once; return how many were told."""
    query = (
        select(Registration)
        .join(TrainingSession, TrainingSession.id == Registration.training_id)
        .where(
            TrainingSession.state == SessionState.CANCELLED,
            TrainingSession.ends_at > now,
            Registration.state.in_(ACTIVE),
            Registration.anonymised_at.is_(None),
            ~select(Notice.id)
            .where(Notice.registration_id == Registration.id, Notice.kind == SESSION_CANCELLED)
            .exists(),
        )
        .order_by(Registration.id)
    )
    if training_id is not None:
        query = query.where(Registration.training_id == training_id)
    sent = 0
    for reg in list(session.scalars(query)):
        training = reg.training
        sent += send_once(
            session,
            mailer,
            settings,
            reg,
            SESSION_CANCELLED,
            lambda r=reg, t=training: emails.session_cancelled(r, t, settings),  # type: ignore[misc]
            now,
        )
    return sent


def unsent_claims(session: Session, older_than: dt.datetime) -> list[Notice]:
    """Notices claimed but never marked sent: the crash window, for an operator to check."""
    query = select(Notice).where(Notice.sent_at.is_(None), Notice.claimed_at < older_than)
    return list(session.scalars(query))
