"""After a database restart the connection pool fails one statement, then heals by itself.

`_engine_options` leaves `pool_pre_ping` off (a round trip per request); what makes up for it
is SQLAlchemy's own handling of a disconnect: the statement that meets a dead connection
fails, and every connection the pool held from before is discarded with it.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from backend.db import db
from tests.pgcluster import PgCluster

pytestmark = pytest.mark.nodb


def test_one_statement_fails_after_a_restart_then_the_whole_pool_is_fresh(
    cluster_app: Flask, pg_cluster: PgCluster
) -> None:
    engine = db.engine
    held = [engine.connect() for _ in range(3)]
    for connection in held:
        connection.execute(text("SELECT 1"))
        connection.close()  # back to the pool, where the restart will leave it dead
    pg_cluster.restart()
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    again = [engine.connect() for _ in range(3)]  # as many as the pool held: none is dead
    try:
        assert [c.execute(text("SELECT 1")).scalar() for c in again] == [1, 1, 1]
    finally:
        for connection in again:
            connection.close()
