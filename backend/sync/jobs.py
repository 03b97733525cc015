"""Scheduled work of the sync: structures due, which go first, and technical passwords about
to expire."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from backend.accounts.models import AuthSession, Membership, Structure, User
from backend.accounts.roles import Action, roles_that_may
from backend.config import Config
from backend.french import days_from_now
from backend.push.broadcast import notify_managers
from backend.sync import workers
from backend.sync.models import PortalAccount, SyncState
from backend.sync.reminders import ExpiryMail
from backend.sync.workers import SessionFactory
from backend.timeutil import paris_today

log = logging.getLogger(__name__)
EXPIRY_WARNING = dt.timedelta(days=15)
# A member whose session was used this recently is at the app: their structure goes first.
# A phone in use refreshes its session every ACCESS_TOKEN_TTL (10 minutes by default).
ACTIVE_WITHIN = dt.timedelta(hours=1)


def sync_due(
    session: Session, config: Config, *, sessions: SessionFactory, stop: threading.Event
) -> None:
    """Sync every structure whose time has come, a few at a time; `stop` ends it early.

    The scheduler's embedded sync (SYNC_WORKERS=embedded): the same claim and sync as the
    `relais sync-worker` processes, in SYNC_CONCURRENCY threads (one on SQLite), each taking
    at most ten structures per poll so the job ends and the next poll starts."""
    threads = 1 if not config.is_postgresql else max(1, config.sync_concurrency)
    session.commit()
    workers.drain(sessions, config, stop, threads, most=10)


def prioritise_active_structures(session: Session, now: dt.datetime) -> None:
    """Priority 1 for the structures of members who used the app within ACTIVE_WITHIN, 0 for
    the others: when more structures are due than the workers can take, theirs go first."""
    active = (
        select(Membership.structure_id)
        .join(AuthSession, AuthSession.user_id == Membership.user_id)
        .where(AuthSession.revoked_at.is_(None), AuthSession.last_used_at >= now - ACTIVE_WITHIN)
    )
    # Only the rows whose priority changes are written: a few, even among 100,000 structures.
    session.execute(
        update(SyncState)
        .where(SyncState.priority == 0, SyncState.structure_id.in_(active))
        .values(priority=1)
    )
    session.execute(
        update(SyncState)
        .where(SyncState.priority != 0, SyncState.structure_id.not_in(active))
        .values(priority=0)
    )


def expiring_accounts(session: Session, now: dt.datetime) -> list[PortalAccount]:
    """Technical passwords expiring within 15 days, not yet warned about today."""
    today = paris_today(now)
    return list(
        session.scalars(
            select(PortalAccount).where(
                PortalAccount.password_expires_on <= today + EXPIRY_WARNING,
                or_(
                    PortalAccount.expiry_warned_on.is_(None), PortalAccount.expiry_warned_on < today
                ),
            )
        )
    )


# After the first warning (15 days ahead), managers are reminded on these days only.
REMINDER_DAYS = frozenset({7, 1, 0, -1})


def warn_expiring_passwords(
    session: Session, now: dt.datetime, mail: ExpiryMail | None = None
) -> None:
    """Warn the structure's managers 15 days before a technical password expires, then again
    a week, a day before, on the day and the day after (and log each time); with `mail`, its
    main managers (who may change it) also get an e-mail linking to where it is changed."""
    today = paris_today(now)
    for account in expiring_accounts(session, now):
        assert account.password_expires_on is not None
        days = (account.password_expires_on - today).days
        if account.expiry_warned_on is not None and days not in REMINDER_DAYS:
            continue
        log.warning(
            "technical password of structure %s expires in %s days", account.structure_id, days
        )
        notify_managers(session, account.structure_id, *_expiry_words(days))
        if mail is not None:
            _mail_main_managers(session, account.structure_id, days, mail)
        account.expiry_warned_on = today


def _mail_main_managers(session: Session, structure_id: int, days: int, mail: ExpiryMail) -> None:
    structure = session.get(Structure, structure_id)
    addresses = session.scalars(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.structure_id == structure_id)
        .where(Membership.role.in_(roles_that_may(Action.UPDATE_TECHNICAL_ACCOUNT)))
        .where(User.active)
    ).all()
    for address in addresses:
        assert structure is not None  # the account's foreign key
        mail.send(address, structure, days)


def _expiry_words(days: int) -> tuple[str, str]:
    if days < 0:
        return (
            "Compte technique : mot de passe expiré",
            "Le mot de passe du compte technique a expiré : la synchronisation avec le portail "
            "est arrêtée. Renouvelez-le sur le portail, puis enregistrez-le dans Relais "
            "(connexion de la structure au portail).",
        )
    return (
        f"Compte technique : le mot de passe expire {days_from_now(days)}",
        f"Le mot de passe du compte technique expire {days_from_now(days)}. Renouvelez-le sur "
        "le portail, puis enregistrez-le dans Relais (connexion de la structure au portail), "
        "pour que le suivi continue.",
    )
