"""A sync cut by a database restart closes its run and frees its structure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from backend.db import current_session
from backend.invoices.models import Invoice
from backend.portal.sandbox import ManualClock, SandboxServer, create_sandbox_app
from backend.sync.accounts import register_account
from backend.sync.models import SyncRun, SyncState
from backend.sync.service import sync_structure
from tests.factories import StructureFactory
from tests.pgcluster import PgCluster
from tests.resilience.conftest import forget_connections, wait_for
from tests.sync.conftest import Portal

pytestmark = pytest.mark.nodb


@pytest.fixture
def portal(cluster_app: Flask) -> Iterator[Portal]:
    """The loopback sandbox and a structure registered against it, on the private cluster."""
    clock = ManualClock(dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5))
    server = SandboxServer(create_sandbox_app(None, seed=11, clock=clock, invoices=45)).start()
    row = server.app.sandbox.accounts()[0]
    relais_config = cluster_app.extensions["relais_config"]
    config = dataclasses.replace(relais_config, portal_base_url=server.url)
    structure = StructureFactory(siret=str(row["siret"]), name=str(row["name"]))
    register_account(
        current_session(), structure, str(row["login"]), str(row["password"]), None, config=config
    )
    current_session().commit()
    yield Portal(server, clock, config, structure, str(row["login"]), str(row["password"]))
    server.stop()


def sync(portal: Portal, structure_id: int) -> SyncRun | None:
    with portal.client() as client:
        return sync_structure(
            current_session(), structure_id, config=portal.config, client=client,
            now=portal.clock(),
        )  # fmt: skip


def recorded(structure_id: int) -> int:
    query = select(func.count()).select_from(Invoice).where(Invoice.structure_id == structure_id)
    count = int(current_session().scalar(query) or 0)
    current_session().commit()
    return count


def test_a_sync_cut_by_a_database_restart_ends_failed_and_frees_the_structure(
    portal: Portal, cluster_app: Flask, pg_cluster: PgCluster
) -> None:
    structure_id = portal.structure.id
    portal.server.app.sandbox.faults.slow_answer(0.05)  # 45 invoices: a run of a few seconds
    raised: list[BaseException] = []

    def cut_short() -> None:
        with cluster_app.app_context():
            try:
                sync(portal, structure_id)
            except BaseException as exc:
                raised.append(exc)

    thread = threading.Thread(target=cut_short)
    thread.start()
    # Nothing else touches the database until the run ends: its connection is the one to die.
    assert wait_for(lambda: recorded(structure_id) >= 5, 30), "the sync should be under way"
    pg_cluster.restart()
    thread.join(60)
    forget_connections()
    assert [type(exc) for exc in raised] == [OperationalError], "the error is raised again"
    cut = current_session().scalars(select(SyncRun)).one()
    assert cut.status == "failed" and cut.finished_at is not None
    assert "erreur interne" in (cut.error or "") and "[SQL" not in (cut.error or "")
    assert 5 <= cut.invoices_seen < 45
    state = current_session().get(SyncState, structure_id)
    assert state.running_until is None and state.running_holder is None
    assert state.watermark is None and state.consecutive_failures == 1
    portal.server.app.sandbox.faults.reset()
    portal.clock.advance(dt.timedelta(minutes=1))
    after = sync(portal, structure_id)  # not forced: the lease must be free
    assert after is not None and after.status == "ok"
    assert recorded(structure_id) == len(portal.portal_view())
