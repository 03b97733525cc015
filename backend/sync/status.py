"""A structure's sync, told to a manager in French."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.db import utcnow
from backend.french import days_from_now
from backend.invoices.counts import ALL_SERVICES
from backend.invoices.models import InvoiceCount
from backend.sync.jobs import EXPIRY_WARNING
from backend.sync.models import PortalAccount, SyncRun, SyncState
from backend.timeutil import PARIS, paris_today

RECENT_RUNS = 10


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def _account(account: PortalAccount | None) -> dict[str, Any] | None:
    if account is None:
        return None
    days = None
    warning = None
    if account.password_expires_on:
        days = (account.password_expires_on - paris_today()).days
        if days < 0:
            warning = "Le mot de passe du compte technique a expiré : renouvelez-le sur le portail."
        elif days <= EXPIRY_WARNING.days:
            warning = f"Le mot de passe du compte technique expire {days_from_now(days)}."
    return {
        "login": account.login,
        "password_expires_on": account.password_expires_on,
        "days_left": days,
        "warning": warning,
    }


def late_by(state: SyncState | None, running: bool, now: dt.datetime) -> dt.timedelta | None:
    """How late the structure's sync is, when it waits past two intervals (None otherwise):
    the sync workers cannot keep up, or none is running."""
    if state is None or running:
        return None
    lag = now - state.next_sync_at
    return lag if lag > 2 * dt.timedelta(seconds=state.interval_seconds) else None


def _message(state: SyncState | None, late: dt.timedelta | None = None) -> str:
    if state is None:
        return "Aucun compte technique n'est enregistré : la synchronisation n'est pas active."
    if late is not None:
        minutes = max(1, round(late.total_seconds() / 60))
        return (
            f"La synchronisation a pris du retard : prévue le {_when(state.next_sync_at)}, "
            f"elle attend son tour depuis {minutes} min. Les dernières nouvelles du portail "
            "arriveront un peu plus tard."
        )
    if state.last_error_at and (
        not state.last_success_at or state.last_error_at > state.last_success_at
    ):
        when = _when(state.last_error_at)
        return f"La dernière synchronisation a échoué le {when} : {state.last_error}"
    if state.last_success_at:
        return f"Dernière synchronisation réussie le {_when(state.last_success_at)}."
    return "La première synchronisation est programmée."


def _state(state: SyncState | None, running: bool) -> str:
    """One word for the app: not_configured, running, scheduled (never succeeded yet), failing
    (the last try failed) or ok."""
    if state is None:
        return "not_configured"
    if running:
        return "running"
    if state.last_error_at and (
        not state.last_success_at or state.last_error_at > state.last_success_at
    ):
        return "failing"
    return "ok" if state.last_success_at else "scheduled"


def sync_status(session: Session, structure_id: int) -> dict[str, Any]:
    state = session.get(SyncState, structure_id)
    now = utcnow()
    running = bool(state and state.running_until and state.running_until > now)
    late = late_by(state, running, now)
    stored = session.scalar(
        select(func.coalesce(func.sum(InvoiceCount.count), 0)).where(
            InvoiceCount.structure_id == structure_id, InvoiceCount.service_key == ALL_SERVICES
        )
    )
    runs = session.scalars(
        select(SyncRun)
        .where(SyncRun.structure_id == structure_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(RECENT_RUNS)
    ).all()
    return {
        "structure_id": structure_id,
        "state": _state(state, running),
        "invoices_stored": int(stored or 0),
        "configured": state is not None,
        "message": _message(state, late),
        "late_seconds": int(late.total_seconds()) if late is not None else None,
        "last_success_at": state.last_success_at if state else None,
        "last_error_at": state.last_error_at if state else None,
        "last_error": state.last_error if state else None,
        "next_sync_at": state.next_sync_at if state else None,
        "interval_seconds": state.interval_seconds if state else None,
        "running": running,
        "technical_account": _account(session.get(PortalAccount, structure_id)),
        "recent_runs": runs,
    }
