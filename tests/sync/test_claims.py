"""What a worker claims: nothing while the portal's calls are paused for everyone."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select, update

from backend.db import current_session, db
from backend.sync.models import PortalQuota, SyncRun, SyncState
from backend.sync.quota import SharedQuota
from backend.sync.workers import app_sessions, sync_next
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
