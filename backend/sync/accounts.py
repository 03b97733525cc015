"""A structure's technical account on the portal: stored encrypted, opened as a client."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from sqlalchemy.orm import Session

from backend.accounts.models import Structure
from backend.config import Config
from backend.db import utcnow
from backend.portal import (
    PortalClient,
    PortalEnvironment,
    TechnicalAccount,
)
from backend.portal.endpoints import ENVIRONMENTS
from backend.portal.pacing import CallGate
from backend.portal.retry import RetryPolicy
from backend.sync import crypto
from backend.sync.models import PortalAccount, SyncState
from backend.sync.quota import interruptible

log = logging.getLogger(__name__)


class NoPortalAccount(Exception):
    """The structure has no technical account registered."""


def environment(config: Config) -> PortalEnvironment:
    if config.portal_env == "local":
        return PortalEnvironment.local(config.portal_base_url)
    return ENVIRONMENTS[config.portal_env]


def open_client(
    config: Config,
    account: TechnicalAccount,
    stop: threading.Event | None = None,
    gate: CallGate | None = None,
) -> PortalClient:
    """The portal client; with `stop`, a wait between retries ends the run when it is set;
    with `gate`, each call first asks the fleet's quota (backend/sync/quota.py)."""
    return PortalClient(
        environment(config),
        config.portal_client_id,
        config.portal_client_secret,
        account=account,
        timeout=config.portal_timeout,
        retry=RetryPolicy(sleep=interruptible(stop)) if stop is not None else None,
        gate=gate,
    )


def register_account(
    session: Session,
    structure: Structure,
    login: str,
    password: str,
    expires_on: dt.date | None,
    *,
    config: Config,
    interval_seconds: int | None = None,
) -> PortalAccount:
    """Store (or replace) a structure's technical account and schedule its first sync."""
    account = session.get(PortalAccount, structure.id) or PortalAccount(structure_id=structure.id)
    account.login = login
    account.password_encrypted = crypto.encrypt(config.credentials_key, password)
    account.password_expires_on = expires_on
    account.expiry_warned_on = None
    account.updated_at = utcnow()
    session.add(account)
    state = session.get(SyncState, structure.id) or SyncState(structure_id=structure.id)
    state.interval_seconds = interval_seconds or config.sync_interval_seconds
    state.next_sync_at = utcnow()
    session.add(state)
    session.flush()
    return account


def technical_account(session: Session, structure_id: int, config: Config) -> TechnicalAccount:
    account = session.get(PortalAccount, structure_id)
    if account is None:
        raise NoPortalAccount(structure_id)
    return TechnicalAccount(
        account.login, crypto.decrypt(config.credentials_key, account.password_encrypted)
    )
