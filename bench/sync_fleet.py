"""Sync at national scale (issue 22): many structures, each due every interval, synced by 1, 2
and 4 `relais sync-worker` processes from the sandbox answering like the portal under load.

    python -m bench.sync_fleet                                  # 10,000 structures, 3 min a run
    python -m bench.sync_fleet --structures 2000 --minutes 1 --workers 1,2

The sandbox (its own process) serves one supplier per structure, one invoice each, and answers
every call in 200 ms ± 100 ms, a few of them 429 (Retry-After: 1) or 503. For each worker
count, `relais_bench_sync` is made anew, the structures' first syncs are spread over one
interval (the steady demand: structures ÷ interval syncs per second), and the workers run for
the given minutes under a fleet-wide PORTAL_RATE_LIMIT. Measured from the `sync_runs` rows
and the sandbox's call log: structures synced per second, portal calls per second (and the
busiest second, against the quota), lag p50/p99 (started_at − due_at), CPU per sync and per
call (the workers' /proc times), peak RSS per worker, the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from backend.sync.fleet import percentile
from bench.server import status_kib
from bench.sync_bench import (
    DEFAULT_URL,
    Sandbox,
    _cpu_seconds,
    _drop_database,
    _free_port,
    _fresh_database,
    _process,
    _relais_env,
    _reset_peak,
)

SEED = 2026
RESULTS = Path(__file__).parent / "results"
# The sandbox's answers: 200 ms ± 100 ms, one call in 500 a 429, one in 500 a 503.
FAULTS = {
    "delay_seconds": 0.2, "delay_jitter": 0.1, "rate_limit_share": 0.002, "fail_share": 0.002,
    "retry_after": 1,
}  # fmt: skip


@dataclass(frozen=True)
class Settings:
    structures: int = 10_000
    interval: int = 300  # seconds between two syncs of a structure
    minutes: float = 3.0  # per worker count
    workers: tuple[int, ...] = (1, 2, 4)
    concurrency: int = 8  # threads per worker (SYNC_WORKER_CONCURRENCY)
    rate: float = 150.0  # PORTAL_RATE_LIMIT
    burst: int = 5


# `make bench`: the 10,000 structures, 3 minutes per worker count (about 12 minutes);
# BENCH_QUICK: 2,000 structures due every minute (the same demand), 1 minute each.
FULL = Settings()
QUICK = Settings(structures=2_000, interval=60, minutes=1.0, workers=(1, 2))


def _sandbox_command(port: int, store: Path, structures: int) -> list[str]:
    return [
        sys.executable, "-m", "backend.portal.sandbox", "--port", str(port),
        "--store", str(store), "--seed", str(SEED), "--invoices", str(structures),
        "--suppliers", str(structures), "--history-lag", "600", "--quiet",
    ]  # fmt: skip


def prepare(env: dict[str, str], accounts: list[dict[str, Any]], interval: int) -> int:
    """A structure, its technical account and its sync state per sandbox supplier (not due
    yet), in a few bulk statements; how many (a SIRET drawn twice is kept once)."""
    from sqlalchemy import insert, select

    from backend import create_app
    from backend.accounts.models import Structure
    from backend.config import Config
    from backend.db import current_session, db
    from backend.sync import crypto
    from backend.sync.models import PortalAccount, SyncState

    config = Config.from_env(env)
    app = create_app(config)
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    expires = dt.date.today() + dt.timedelta(days=365)
    by_siret = {str(a["siret"]): a for a in accounts}
    with app.app_context():
        session = current_session()
        session.execute(
            insert(Structure),
            [
                {"siret": siret, "name": a["name"], "address_line1": "1 place du Marché",
                 "postal_code": "35000", "city": "Rennes"}
                for siret, a in by_siret.items()
            ],
        )  # fmt: skip
        ids = {siret: i for siret, i in session.execute(select(Structure.siret, Structure.id))}
        session.execute(
            insert(PortalAccount),
            [
                {"structure_id": ids[siret], "login": a["login"], "password_expires_on": expires,
                 "password_encrypted": crypto.encrypt(config.credentials_key, a["password"])}
                for siret, a in by_siret.items()
            ],
        )  # fmt: skip
        session.execute(
            insert(SyncState),
            [
                {"structure_id": i, "next_sync_at": later, "interval_seconds": interval}
                for i in ids.values()
            ],
        )
        session.commit()
        db.engine.dispose()
    return len(ids)


def _runs(conninfo: str, since: dt.datetime, until: dt.datetime) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(
            "SELECT started_at, due_at, status, portal_calls FROM sync_runs"
            " WHERE started_at >= %s AND finished_at IS NOT NULL AND finished_at <= %s",
            [since, until],
        ).fetchall()


def _due(conninfo: str) -> tuple[int, int]:
    """Structures due and waiting now; of those, due for more than two intervals."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE next_sync_at < now()"
            " - 2 * interval_seconds * interval '1 second') FROM sync_states"
            " WHERE next_sync_at <= now() AND (running_until IS NULL OR running_until < now())"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def one_run(
    sandbox: Sandbox, database_url: str, work: Path, workers: int, settings: Settings
) -> dict[str, Any]:
    """`workers` processes syncing the fleet for `settings.minutes`; the measures."""
    conninfo, sa_url = _fresh_database(database_url)
    try:
        env = os.environ | _relais_env(sa_url, work / f"instance-{workers}", sandbox.url)
        env |= {
            "SYNC_WORKERS": "external", "SYNC_POLL_SECONDS": "0.5",
            "SYNC_INTERVAL_SECONDS": str(settings.interval),
            "SYNC_WORKER_CONCURRENCY": str(settings.concurrency),
            "PORTAL_RATE_LIMIT": str(settings.rate), "PORTAL_RATE_BURST": str(settings.burst),
        }  # fmt: skip
        structures = prepare(env, sandbox.http.get("/_sandbox/accounts").json()["accounts"],
                             settings.interval)  # fmt: skip
        command = [sys.executable, "-m", "backend.cli", "sync-worker"]
        with ExitStack() as stack:
            procs = [
                stack.enter_context(_process(f"sync-fleet-worker-{n}", command, env))
                for n in range(workers)
            ]
            time.sleep(5)  # imports and connections, before the clock starts
            for proc in procs:
                _reset_peak(proc.pid)
            cpu_before = sum(_cpu_seconds(p.pid) for p in procs)
            sandbox_cpu = _cpu_seconds(sandbox.proc.pid)
            with psycopg.connect(conninfo, autocommit=True) as conn:
                go = conn.execute(
                    "UPDATE sync_states SET next_sync_at = now()"
                    " + random() * interval_seconds * interval '1 second' RETURNING now()"
                ).fetchone()[0]  # type: ignore[index]
            go_epoch = time.time()
            time.sleep(settings.minutes * 60)
            end = dt.datetime.now(dt.UTC)
            cpu = sum(_cpu_seconds(p.pid) for p in procs) - cpu_before
            sandbox_cpu = _cpu_seconds(sandbox.proc.pid) - sandbox_cpu
            rss = [round(status_kib(p.pid, "VmHWM") / 1024, 1) for p in procs]
            load = [round(x, 2) for x in os.getloadavg()]
            due, late = _due(conninfo)
            alive = all(p.poll() is None for p in procs)
        calls = [c for c in sandbox.http.get("/_sandbox/calls", params={"since": go_epoch})
                 .json()["calls"] if c[0] <= go_epoch + settings.minutes * 60]  # fmt: skip
        runs = _runs(conninfo, go, end)
    finally:
        _drop_database(conninfo)
    seconds = (end - go).total_seconds()
    lags = [max(0.0, (started - due_at).total_seconds()) for started, due_at, *_ in runs]
    per_second = Counter(int(arrived) for arrived, _status in calls)
    statuses = Counter(status for _arrived, status in calls)
    busiest = max(per_second.values(), default=0)
    return {
        "workers": workers,
        "structures": structures,
        "seconds": round(seconds),
        "demand_per_s": round(structures / settings.interval, 1),
        "runs": len(runs),
        "runs_failed": sum(1 for r in runs if r[2] == "failed"),
        "structures_per_s": round(len(runs) / seconds, 1),
        "portal_calls": len(calls),
        "portal_calls_per_s": round(len(calls) / seconds, 1),
        "busiest_second_calls": busiest,
        "quota_per_s": settings.rate,
        "quota_burst": settings.burst,
        "quota_kept": busiest <= settings.rate + settings.burst,
        "answers_429": statuses.get(429, 0),
        "answers_503": statuses.get(503, 0),
        "lag_p50_s": percentile(lags, 0.5),
        "lag_p99_s": percentile(lags, 0.99),
        "due_at_end": due,
        "late_at_end": late,
        "worker_cpu_s": round(cpu, 1),
        "cpu_ms_per_sync": round(1000 * cpu / max(len(runs), 1), 1),
        "cpu_ms_per_call": round(1000 * cpu / max(len(calls), 1), 2),
        "sandbox_cpu_s": round(sandbox_cpu, 1),
        "worker_peak_rss_mib": rss,
        "load_average": load,
        "workers_alive": alive,
    }


def extrapolate(run: dict[str, Any], structures: int = 100_000, interval: int = 300) -> dict:
    """Worker cores for `structures` every `interval` s, from a run's CPU per call."""
    calls_per_sync = run["portal_calls"] / max(run["runs"], 1)
    calls_per_s = structures / interval * calls_per_sync
    return {
        "structures": structures,
        "interval_s": interval,
        "syncs_per_s": round(structures / interval, 1),
        "calls_per_sync": round(calls_per_sync, 2),
        "calls_per_s": round(calls_per_s, 1),
        "worker_cores": round(calls_per_s * run["cpu_ms_per_call"] / 1000, 1),
    }


def table(runs: list[dict[str, Any]], settings: Settings, shared: str) -> str:
    head = (
        f"# Sync at scale: {runs[0]['structures']:,} structures every {settings.interval} s\n\n"
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"{settings.minutes} min per run, {settings.concurrency} threads per worker, "
        f"PORTAL_RATE_LIMIT {settings.rate}/s (burst {settings.burst}); sandbox answers "
        f"200 ± 100 ms, 0.2 % 429, 0.2 % 503. {shared}\n\n"
        "| workers | synced/s (demand) | calls/s | busiest s (quota) | lag p50 / p99 s "
        "| due / late at end | CPU ms/sync | CPU ms/call | peak RSS MiB/worker | 429 / 503 "
        "| load avg |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = [
        f"| {r['workers']} | {r['structures_per_s']} ({r['demand_per_s']}) "
        f"| {r['portal_calls_per_s']} | {r['busiest_second_calls']} "
        f"({r['quota_per_s']:g}+{r['quota_burst']}, {'kept' if r['quota_kept'] else 'EXCEEDED'}) "
        f"| {_s(r['lag_p50_s'])} / {_s(r['lag_p99_s'])} | {r['due_at_end']} / {r['late_at_end']} "
        f"| {r['cpu_ms_per_sync']} | {r['cpu_ms_per_call']} "
        f"| {', '.join(str(x) for x in r['worker_peak_rss_mib'])} "
        f"| {r['answers_429']} / {r['answers_503']} "
        f"| {', '.join(str(x) for x in r['load_average'])} |"
        for r in runs
    ]
    best = max(runs, key=lambda r: r["structures_per_s"])
    x = extrapolate(best)
    tail = (
        f"\n\nExtrapolation from the {best['workers']}-worker run's CPU per call: "
        f"{x['structures']:,} structures every {x['interval_s']} s = {x['syncs_per_s']} syncs/s × "
        f"{x['calls_per_sync']} calls = {x['calls_per_s']} calls/s × {best['cpu_ms_per_call']} ms "
        f"= **{x['worker_cores']} worker cores** (PostgreSQL's and the portal's CPU not counted).\n"
    )
    return head + "\n".join(rows) + tail


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def run(database_url: str, settings: Settings) -> list[dict[str, Any]]:
    """The sandbox once, then each worker count in turn; one dict of measures per count."""
    results = []
    with tempfile.TemporaryDirectory(prefix="relais-sync-fleet-") as tmp:
        port, store = _free_port(), Path(tmp) / "sandbox.sqlite"
        command = _sandbox_command(port, store, settings.structures)
        with _process("sync-fleet-sandbox", command, dict(os.environ)) as proc:
            sandbox = Sandbox(proc, f"http://127.0.0.1:{port}", store)
            sandbox.wait_ready(timeout=300)
            sandbox.http.post("/_sandbox/faults", json=FAULTS).raise_for_status()
            for workers in settings.workers:
                print(f"sync fleet: {workers} worker(s)…", flush=True)
                results.append(one_run(sandbox, database_url, Path(tmp), workers, settings))
                print(json.dumps(results[-1]), flush=True)
    return results


def section(database_url: str, quick: bool) -> dict[str, Any]:
    """`make bench`'s section: each worker count's measures, flat, and the extrapolation."""
    settings = QUICK if quick else FULL
    results = run(database_url, settings)
    flat: dict[str, Any] = {"structures": settings.structures, "interval_s": settings.interval,
                            "minutes_per_run": settings.minutes}  # fmt: skip
    for result in results:
        flat |= {f"{result['workers']}w_{k}": v for k, v in result.items() if k != "workers"}
    best = max(results, key=lambda r: r["structures_per_s"])
    flat |= {f"extrapolated_{k}": v for k, v in extrapolate(best).items()}
    return flat


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--structures", type=int, default=FULL.structures)
    parser.add_argument("--interval", type=int, default=FULL.interval)
    parser.add_argument("--minutes", type=float, default=FULL.minutes)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=FULL.concurrency)
    parser.add_argument("--rate", type=float, default=FULL.rate, help="PORTAL_RATE_LIMIT")
    parser.add_argument("--burst", type=int, default=FULL.burst)
    parser.add_argument("--shared", default="", help="what else ran on the machine")
    parser.add_argument("--save", action="store_true", help="write bench/results/sync-fleet-*")
    args = parser.parse_args(argv)
    settings = Settings(
        args.structures, args.interval, args.minutes,
        tuple(int(w) for w in args.workers.split(",")), args.concurrency, args.rate, args.burst,
    )  # fmt: skip
    results = run(args.database_url, settings)
    report = table(results, settings, args.shared)
    print(report)
    if args.save:
        stamp = f"sync-fleet-{dt.datetime.now(dt.UTC):%Y-%m-%dT%H%M%SZ}"
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{stamp}.md").write_text(report)
        (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
