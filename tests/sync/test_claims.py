"""What a worker claims: nothing while the portal's calls are paused for everyone, and the
structures whose members use the app before the others."""

from __future__ import annotations

import datetime as dt
import threading

from flask import Flask
from sqlalchemy import select, update

from backend.accounts.models import AuthSession, Structure, User
from backend.db import current_session, db, utcnow
from backend.sync.accounts import register_account
from backend.sync.jobs import prioritise_active_structures
from backend.sync.models import PortalQuota, SyncRun, SyncState
from backend.sync.quota import SharedQuota
from backend.sync.workers import app_sessions, sync_next
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.sync.conftest import Portal


def _claim_one(app: Flask, portal: Portal) -> bool:
    """One claim and sync, as a worker's thread does it."""
    current_session().commit()  # no transaction of the test stays open beside the worker's
    return sync_next(app_sessions(app), portal.config, "test-worker", threading.Event())


def _runs() -> list[SyncRun]:
    runs = list(current_session().scalars(select(SyncRun).order_by(SyncRun.id)))
    current_session().commit()
    return runs


def test_no_structure_is_claimed_while_the_portal_circuit_is_open(
    portal: Portal, app: Flask
) -> None:
    sandbox = portal.server.app.sandbox
    quota = SharedQuota(db.engine, rate=0, burst=1, circuit_seconds=60)
    for _ in range(5):  # five calls in a row without an answer: the circuit opens
        quota.after_call(503, None)
    assert quota.pause_left() > 50

    assert _claim_one(app, portal) is False
    state = current_session().get(SyncState, portal.structure.id)
    assert state is not None and state.running_until is None, "the structure was not claimed"
    assert _runs() == [] and sum(sandbox.calls.values()) == 0

    current_session().execute(update(PortalQuota).values(paused_until=0, failures=0))
    assert _claim_one(app, portal) is True, "once the circuit closes, claiming resumes"
    assert [run.status for run in _runs()] == ["ok"]


def _member_last_seen(structure: Structure, ago: dt.timedelta) -> User:
    user = UserFactory()
    MembershipFactory(user=user, structure=structure)
    current_session().add(AuthSession(user_id=user.id, last_used_at=utcnow() - ago))
    return user


def test_a_structure_whose_members_use_the_app_is_synced_before_one_without(
    portal: Portal, app: Flask
) -> None:
    row = portal.server.app.sandbox.accounts()[1]
    idle = portal.structure
    active = StructureFactory(siret=str(row["siret"]), name=str(row["name"]))
    register_account(
        current_session(), active, str(row["login"]), str(row["password"]), None,
        config=portal.config,
    )  # fmt: skip
    _member_last_seen(idle, dt.timedelta(hours=3))
    _member_last_seen(active, dt.timedelta(minutes=5))
    now = utcnow()
    # Both due; the idle one has waited longer, so without priority it would go first.
    due = {idle.id: now - dt.timedelta(minutes=10), active.id: now - dt.timedelta(minutes=1)}
    for structure_id, at in due.items():
        current_session().execute(
            update(SyncState).where(SyncState.structure_id == structure_id).values(next_sync_at=at)
        )

    prioritise_active_structures(current_session(), now)
    rows = current_session().execute(select(SyncState.structure_id, SyncState.priority))
    priorities = {structure_id: priority for structure_id, priority in rows}
    assert priorities == {idle.id: 0, active.id: 1}

    assert _claim_one(app, portal) and _claim_one(app, portal)
    assert [run.structure_id for run in _runs()] == [active.id, idle.id]

    # An hour later no member is active any more: both go back to the common order.
    prioritise_active_structures(current_session(), now + dt.timedelta(hours=1))
    assert set(current_session().scalars(select(SyncState.priority))) == {0}
