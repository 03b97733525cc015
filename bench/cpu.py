"""CPU time spent during a measurement: a server's worker processes and PostgreSQL's backends.

Read from /proc (user + system time of each process), before and after a wrk run, so a
request's cost is counted where it is spent, not inferred from the throughput of a machine
that other work shares. PostgreSQL's backends are those connected to the bench database,
found in `pg_stat_activity` (the connection asking is left out).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads); 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children of any of its threads, recursively)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


@dataclass
class Sample:
    workers: dict[int, float]
    postgres: dict[int, float]


class CpuMeter:
    """CPU seconds of a server's processes below its main one and of the database's backends."""

    def __init__(self, conninfo: str | None) -> None:
        self.conn = psycopg.connect(conninfo, autocommit=True) if conninfo else None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    def _backends(self) -> list[int]:
        if self.conn is None:
            return []
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        return [row[0] for row in rows]

    def sample(self, server_pids: list[int]) -> Sample:
        pids = {p for main in server_pids for p in descendants(main)}
        return Sample(
            {pid: process_seconds(pid) for pid in pids},
            {pid: process_seconds(pid) for pid in self._backends()},
        )


def spent(before: Sample, after: Sample) -> tuple[float, float]:
    """CPU seconds between two samples: (workers, PostgreSQL). A process that appeared in
    between counts from zero; one that ended in between is lost (rare: no recycling during a
    run, the pool keeps its connections)."""

    def delta(old: dict[int, float], new: dict[int, float]) -> float:
        return sum(max(0.0, seconds - old.get(pid, 0.0)) for pid, seconds in new.items())

    return delta(before.workers, after.workers), delta(before.postgres, after.postgres)
