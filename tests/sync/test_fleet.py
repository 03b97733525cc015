"""The fleet's sync figures, for administrators and the scheduler's log: lag percentiles,
runs and portal calls per second, structures due and late, on a small set of runs made here."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from flask.testing import FlaskClient

from backend.db import current_session, utcnow
from backend.sync.fleet import fleet_figures, log_fleet_figures, percentile
from backend.sync.models import SyncRun, SyncState
from tests.factories import StructureFactory, UserFactory
from tests.helpers import auth_headers

URL = "/api/v1/admin/sync/fleet"
S = dt.timedelta(seconds=1)


def _fleet(now: dt.datetime) -> None:
    """Ten runs in the last five minutes, late 1 to 10 s, 3 calls each, one failed; one run
    long before; four structures: one due, one due for 20 min (late), one being synced, one
    not yet due."""
    structures = [StructureFactory() for _ in range(4)]
    session = current_session()
    for n in range(1, 11):
        started = now - 115 * S + n * 10 * S
        session.add(
            SyncRun(
                structure_id=structures[0].id, started_at=started, due_at=started - n * S,
                finished_at=started + 2 * S, status="failed" if n == 3 else "ok",
                portal_calls=3,
            )
        )  # fmt: skip
    old = now - dt.timedelta(minutes=20)
    session.add(
        SyncRun(
            structure_id=structures[0].id, started_at=old, due_at=old - 500 * S,
            finished_at=old + S, status="ok", portal_calls=40,
        )
    )  # fmt: skip
    states = [
        (now - dt.timedelta(minutes=1), None),
        (now - dt.timedelta(minutes=20), None),
        (now - dt.timedelta(minutes=20), now + dt.timedelta(minutes=1)),
        (now + dt.timedelta(minutes=1), None),
    ]
    for structure, (due, leased) in zip(structures, states, strict=True):
        session.add(
            SyncState(
                structure_id=structure.id, next_sync_at=due, running_until=leased,
                interval_seconds=300,
            )
        )  # fmt: skip
    session.commit()


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 11)]
    assert percentile(values, 0.5) == 5.0 and percentile(values, 0.99) == 10.0
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) is None


def test_the_fleet_figures_over_the_last_minutes(app_ctx: object) -> None:
    now = utcnow()
    _fleet(now)
    figures = fleet_figures(current_session(), now, minutes=5)
    assert figures.as_dict() == {
        "window_minutes": 5,
        "runs": 10,
        "failed_runs": 1,
        "runs_per_second": round(10 / 300, 3),
        "portal_calls_per_second": 0.1,  # 30 calls in 300 s
        "lag_p50_seconds": 5.0,
        "lag_p99_seconds": 10.0,
        "structures_due": 2,  # the one being synced waits for no one
        "structures_late": 1,  # due for 20 min, more than two 5-minute intervals
    }
    # Over the last minute: the five runs started 55 to 15 s before now.
    last_minute = fleet_figures(current_session(), now, minutes=1)
    assert (last_minute.runs, last_minute.lag_p50_seconds) == (5, 8.0)


def test_administrators_read_them_and_the_scheduler_logs_them(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    now = utcnow()
    _fleet(now)
    admin, member = UserFactory(is_admin=True), UserFactory()
    current_session().commit()
    body = client.get(URL, headers=auth_headers(client, admin.email)).get_json()
    assert (body["runs"], body["lag_p99_seconds"], body["structures_late"]) == (10, 10.0, 1)
    assert (
        client.get(f"{URL}?minutes=1", headers=auth_headers(client, admin.email)).json["runs"] == 5
    )
    assert (
        client.get(f"{URL}?minutes=0", headers=auth_headers(client, admin.email)).status_code == 422
    )
    assert client.get(URL, headers=auth_headers(client, member.email)).status_code == 403
    assert client.get(URL).status_code == 401

    with caplog.at_level(logging.INFO, logger="backend.sync.fleet"):
        log_fleet_figures(current_session(), now)
    assert [r.getMessage() for r in caplog.records] == [
        "sync fleet, last 1 min: 5 runs (0 failed, 0.08/s), 0.25 portal calls/s, "
        "lag p50 8.0 s p99 10.0 s, 2 structures due, 1 late"
    ]
