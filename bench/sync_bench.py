"""Portal sync (issue 5): invoices and status changes synced per second, and the peak RSS of
the scheduler process doing it.

    python -m bench.sync_bench                 # 60,000 invoices (3 suppliers of 20,000)
    python -m bench.sync_bench --quick         # 3,000 invoices
    python -m bench.sync_bench --quick --profile   # the sync in this process, under cProfile

Real processes on loopback: the portal sandbox (`python -m backend.portal.sandbox`, its own
SQLite store, seeded with the plan's invoices and their histories) and `relais scheduler`,
whose `portal-sync` job syncs every supplier into the dedicated PostgreSQL database
`relais_bench_sync` (dropped and created by each run, never `relais_bench`).

Phase 1 is the initial load (every invoice and its history); phase 2 is the incremental
sync after status changes appear on the portal (stamped just after phase 1's window, as if
they had happened while it ran). Each phase is timed from the moment the structures are
made due until the last run is finished, from the `sync_runs` rows the scheduler writes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url

from backend.migrate import upgrade
from backend.sync.crypto import new_key
from bench.server import LOGS, ROOT, reap, status_kib

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/relais_bench_sync"
DATABASE = "relais_bench_sync"
SEED = 2026
# The sandbox's seeded history stops this long before it starts: the phase-2 changes,
# stamped at phase 1's watermark, come after every seeded one.
HISTORY_LAG_SECONDS = 600
PASSWORD = "bench-password"  # the bench users' (never used to log in here)


@dataclass(frozen=True)
class Plan:
    invoices: int  # in the sandbox, shared by its three suppliers
    changes: int  # status changes made on the portal before the incremental sync
    timeout: float  # seconds a phase may take before the bench gives up

    def label(self) -> str:
        return f"{self.invoices:,} invoices, {self.changes:,} new changes"


# 12,000 invoices keep the section to about 4 minutes of `make bench`; --invoices for more.
FULL = Plan(invoices=12_000, changes=1_500, timeout=900)
QUICK = Plan(invoices=3_000, changes=600, timeout=300)


# --- processes -----------------------------------------------------------------------------


def _reset_peak(pid: int) -> bool:
    """Start VmHWM again from the current RSS (Linux: "5" > clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _process(
    name: str, command: list[str], env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process logging to bench/data/<name>.log, stopped (SIGTERM, then SIGKILL)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / f"{name}.log").open("wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            yield proc
        finally:
            proc.terminate()
            reap(proc)


# --- the sandbox ---------------------------------------------------------------------------


class Sandbox:
    """The sandbox process: its admin endpoints and its store (read-only here)."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str, store: Path) -> None:
        self.proc, self.url, self.store = proc, url, store
        self.http = httpx.Client(base_url=url, timeout=120)

    def wait_ready(self, timeout: float) -> list[dict[str, Any]]:
        """The technical accounts, once the sandbox has seeded its store and answers."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the sandbox exited; see bench/data/sync-sandbox.log")
            try:
                accounts: list[dict[str, Any]] = self.http.get("/_sandbox/accounts").json()[
                    "accounts"
                ]
                return accounts
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def calls(self) -> dict[str, int]:
        calls: dict[str, int] = self.http.get("/_sandbox/state").json()["calls"]
        return calls

    def tick(self, count: int, at: dt.datetime) -> int:
        """Move `count` live invoices one step, stamped `at`; how many changes were made."""
        changes = self.http.post("/_sandbox/tick", json={"count": count, "at": at.isoformat()})
        changes.raise_for_status()
        return len(changes.json()["changes"])

    def totals(self) -> tuple[int, int]:
        """Invoices and status changes in the sandbox's store."""
        with closing(sqlite3.connect(f"file:{self.store}?mode=ro", uri=True)) as conn:
            invoices = conn.execute("SELECT count(*) FROM invoices").fetchone()[0]
            changes = conn.execute("SELECT count(*) FROM history").fetchone()[0]
        return int(invoices), int(changes)


@contextmanager
def _sandbox(work: Path, invoices: int) -> Iterator[Sandbox]:
    """`python -m backend.portal.sandbox` on a free loopback port, seeded, request log off."""
    port, store = _free_port(), work / "sandbox.sqlite"
    command = [
        sys.executable, "-m", "backend.portal.sandbox", "--port", str(port),
        "--store", str(store), "--seed", str(SEED), "--invoices", str(invoices),
        "--history-lag", str(HISTORY_LAG_SECONDS), "--quiet",
    ]  # fmt: skip
    with _process("sync-sandbox", command, dict(os.environ)) as proc:
        yield Sandbox(proc, f"http://127.0.0.1:{port}", store)


# --- the Relais side -----------------------------------------------------------------------


def _urls(database_url: str) -> tuple[str, str]:
    """libpq conninfo and SQLAlchemy URL of the sync bench database on the same server."""
    url = make_url(database_url).set(database=DATABASE)
    if url.get_backend_name() != "postgresql":
        raise SystemExit("the sync bench needs PostgreSQL (the scheduler syncs in parallel)")
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    sa_url = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return conninfo, sa_url


def _recreate_database(conninfo: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    assert info["dbname"] == DATABASE, "the sync bench only ever drops its own database"
    admin = psycopg.conninfo.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def _fresh_database(database_url: str) -> tuple[str, str]:
    """relais_bench_sync created anew and migrated; its conninfo and SQLAlchemy URL."""
    conninfo, sa_url = _urls(database_url)
    _recreate_database(conninfo)
    upgrade(sa_url)
    return conninfo, sa_url


def _drop_database(conninfo: str) -> None:
    admin = psycopg.conninfo.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _relais_env(sa_url: str, instance: Path, portal_url: str) -> dict[str, str]:
    """The scheduler's settings: this database, this sandbox, a short poll."""
    return {
        "DATABASE_URL": sa_url,
        "RELAIS_INSTANCE": str(instance),
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
        "CREDENTIALS_KEY": new_key(),
        "PORTAL_ENV": "local",
        "PORTAL_BASE_URL": portal_url,
        "SYNC_POLL_SECONDS": "1",
        "SYNC_INTERVAL_SECONDS": "86400",  # each structure is made due by the bench
        "SITE_DIR": str(instance / "site"),  # never the repository's built site
        "PUSH_TRANSPORT": "log",
    }


def prepare(env: dict[str, str], accounts: list[dict[str, Any]]) -> list[int]:
    """Structures for the sandbox's suppliers, their technical accounts (not due yet), a
    manager and a user with a phone each; the site's build stamp so no rebuild starts."""
    from backend import create_app
    from backend.accounts.models import Membership, Role, Structure, User
    from backend.accounts.security import hash_password
    from backend.config import Config
    from backend.db import current_session, db
    from backend.push.models import Device
    from backend.site import build as site_build
    from backend.sync.accounts import register_account
    from backend.sync.models import SyncState
    from backend.trainings.settings import TrainingSettings

    config = Config.from_env(env)
    app = create_app(config)
    ids = []
    with app.app_context():
        session = current_session()
        password = hash_password(PASSWORD)
        for n, account in enumerate(accounts, 1):
            structure = Structure(
                siret=account["siret"], name=account["name"], address_line1="1 place du Marché",
                postal_code="35000", city="Rennes",
            )  # fmt: skip
            session.add(structure)
            session.flush()
            expires = dt.date.fromisoformat(account["password_expires_on"])
            register_account(
                session, structure, account["login"], account["password"],
                max(expires, dt.date.today() + dt.timedelta(days=60)), config=config,
            )  # fmt: skip
            state = session.get(SyncState, structure.id)
            assert state is not None
            state.next_sync_at = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
            for role in (Role.MAIN_MANAGER, Role.USER):
                user = User(
                    email=f"{role.value}-{n}@bench.example", password_hash=password,
                    full_name=f"{role.value} {n}",
                )  # fmt: skip
                session.add(user)
                session.flush()
                session.add(Membership(user_id=user.id, structure_id=structure.id, role=role))
                session.add(
                    Device(user_id=user.id, token=secrets.token_hex(32), platform="android")
                )
            ids.append(structure.id)
        session.commit()
        now = dt.datetime.now(dt.UTC)
        data = site_build.site_data(session, TrainingSettings.from_config(config), now)
        site_build.record_build(config, site_build.fingerprint(data), now)
        session.rollback()
        db.engine.dispose()
    return ids


class Watch:
    """Reads the bench database: scheduler lease, sync runs, row counts."""

    def __init__(self, conninfo: str) -> None:
        self.conn = psycopg.connect(conninfo, autocommit=True)

    def scheduler_active(self) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM scheduler_leases WHERE expires_at > now()"
        ).fetchone()
        return row is not None

    def make_due(self) -> dt.datetime:
        row = self.conn.execute(
            "UPDATE sync_states SET next_sync_at = now() RETURNING next_sync_at"
        ).fetchone()
        assert row is not None
        return row[0]

    def finished_runs(self, since: dt.datetime) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT structure_id, status, invoices_seen, changes, errors, error, started_at,"
            " finished_at, window_to FROM sync_runs WHERE started_at >= %s"
            " AND finished_at IS NOT NULL ORDER BY id",
            [since],
        )
        names = [c.name for c in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def count(self, table: str) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.conn.close()


# --- phases --------------------------------------------------------------------------------


def _wait_for(check: Any, timeout: float, what: str, alive: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if alive.poll() is not None:
            raise RuntimeError(f"{what}: the scheduler exited; see bench/data/sync-scheduler.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not done after {timeout:.0f} s")
        time.sleep(0.25)


def phase(
    name: str,
    watch: Watch,
    sandbox: Sandbox,
    scheduler: subprocess.Popen[bytes],
    structures: int,
    timeout: float,
) -> dict[str, Any]:
    """Make every structure due, wait for their runs, and measure."""
    pid = scheduler.pid
    peak_reset = _reset_peak(pid)
    calls_before = sandbox.calls()
    cpu_before, sandbox_cpu_before = _cpu_seconds(pid), _cpu_seconds(sandbox.proc.pid)
    changes_before = watch.count("status_changes")
    since = watch.make_due()
    runs: list[dict[str, Any]] = []

    def done() -> bool:
        runs[:] = watch.finished_runs(since)
        return len(runs) >= structures

    _wait_for(done, timeout, name, scheduler)
    wall = (max(r["finished_at"] for r in runs) - since).total_seconds()
    calls_after = sandbox.calls()
    calls = {k: v - calls_before.get(k, 0) for k, v in calls_after.items()}
    seen = sum(r["invoices_seen"] for r in runs)
    changes = sum(r["changes"] for r in runs)
    cpu = _cpu_seconds(pid) - cpu_before
    result = {
        "seconds": round(wall, 1),
        "invoices": seen,
        "invoices_per_s": round(seen / wall, 1),
        "status_changes": changes,
        "status_changes_per_s": round(changes / wall, 1),
        "runs": len(runs),
        "runs_ok": sum(r["status"] == "ok" for r in runs),
        "run_errors": sum(r["errors"] for r in runs),
        "portal_calls": sum(v for k, v in calls.items() if k != "token"),
        "portal_search_calls": sum(v for k, v in calls.items() if k.endswith("/fournisseur")),
        "portal_history_calls": sum(v for k, v in calls.items() if k.endswith("/historique")),
        "portal_structure_calls": sum(v for k, v in calls.items() if "/structures/" in k),
        "portal_token_calls": calls.get("token", 0),
        "scheduler_cpu_s": round(cpu, 1),
        "scheduler_cpu_ms_per_invoice": round(1000 * cpu / max(seen, 1), 2),
        "sandbox_cpu_s": round(_cpu_seconds(sandbox.proc.pid) - sandbox_cpu_before, 1),
        "scheduler_peak_rss_mib": round(status_kib(pid, "VmHWM") / 1024, 1),
        "peak_reset": peak_reset,
        "changes_recorded": watch.count("status_changes") - changes_before,
        "watermark": max(r["window_to"] for r in runs).isoformat(),
    }
    failed = [r["error"] for r in runs if r["status"] != "ok"]
    if failed:
        result["first_error"] = str(failed[0])[:200]
    print(
        f"  {name}: {seen:,} invoices, {changes:,} changes in {wall:.1f} s"
        f" ({result['invoices_per_s']} invoices/s, {result['status_changes_per_s']} changes/s),"
        f" {result['portal_calls']:,} portal calls, scheduler CPU {cpu:.1f} s"
        f" (sandbox {result['sandbox_cpu_s']} s),"
        f" peak RSS {result['scheduler_peak_rss_mib']} MiB",
        flush=True,
    )
    return result


def run(database_url: str = DEFAULT_URL, quick: bool = False, keep: bool = False) -> dict[str, Any]:
    """Both phases with real processes; a flat dict for the report."""
    plan = QUICK if quick else FULL
    print(f"Sync: {plan.label()}", flush=True)
    started = time.monotonic()
    conninfo, sa_url = _fresh_database(database_url)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="relais-sync-bench-") as tmp,
            _sandbox(Path(tmp), plan.invoices) as sandbox,
        ):
            t0 = time.monotonic()
            accounts = sandbox.wait_ready(timeout=max(120, plan.invoices / 100))
            seeded = time.monotonic() - t0
            portal_invoices, portal_changes = sandbox.totals()
            env = os.environ | _relais_env(sa_url, Path(tmp) / "instance", sandbox.url)
            structure_ids = prepare(env, accounts)
            scheduler_cmd = [sys.executable, "-m", "backend.cli", "scheduler"]
            watch = Watch(conninfo)
            try:
                with _process("sync-scheduler", scheduler_cmd, env) as scheduler:
                    _wait_for(watch.scheduler_active, 60, "scheduler start", scheduler)
                    time.sleep(2)  # its first jobs (heartbeat, housekeeping) run first
                    idle_rss = status_kib(scheduler.pid, "VmRSS")
                    first = phase(
                        "initial", watch, sandbox, scheduler, len(structure_ids), plan.timeout
                    )
                    complete = (watch.count("invoices"), watch.count("status_changes")) == (
                        portal_invoices,
                        portal_changes,
                    )
                    at = dt.datetime.fromisoformat(first["watermark"]) + dt.timedelta(seconds=5)
                    made = sandbox.tick(plan.changes, at)
                    second = phase(
                        "incremental", watch, sandbox, scheduler, len(structure_ids), plan.timeout
                    )
                    _, portal_changes_after = sandbox.totals()
                    complete_after = watch.count("status_changes") == portal_changes_after
                    deliveries = watch.count("push_deliveries")
            finally:
                watch.close()
    finally:
        if not keep:
            _drop_database(conninfo)

    result: dict[str, Any] = {
        "plan": plan.label(),
        "suppliers": len(structure_ids),
        "portal_invoices": portal_invoices,
        "portal_status_changes": portal_changes,
        "sandbox_seed_s": round(seeded, 1),
        "scheduler_idle_rss_mib": round(idle_rss / 1024, 1),
    }
    result |= {f"initial_{k}": v for k, v in first.items() if k not in ("watermark", "peak_reset")}
    result["initial_complete"] = complete
    result["portal_changes_made"] = made
    result |= {
        f"incremental_{k}": v for k, v in second.items() if k not in ("watermark", "peak_reset")
    }
    result["incremental_complete"] = complete_after
    result["scheduler_peak_rss_mib"] = max(
        first["scheduler_peak_rss_mib"], second["scheduler_peak_rss_mib"]
    )
    result["peak_rss_per_phase"] = bool(first["peak_reset"])
    result["push_deliveries_queued"] = deliveries
    result["sync_concurrency"] = int(os.environ.get("SYNC_CONCURRENCY", "4"))
    result["total_s"] = round(time.monotonic() - started, 1)
    return result


# --- profiling -----------------------------------------------------------------------------


def profile(database_url: str, invoices: int, top: int = 30) -> str:
    """One supplier's initial then incremental sync in this process, under cProfile: the SQL
    statements per invoice and the top functions of each (bench/data/sync-<phase>.prof)."""
    from backend import create_app
    from backend.config import Config
    from backend.db import current_session, db
    from backend.sync.service import sync_structure

    conninfo, sa_url = _fresh_database(database_url)
    report = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="relais-sync-profile-") as tmp,
            _sandbox(Path(tmp), invoices) as sandbox,
        ):
            accounts = sandbox.wait_ready(timeout=max(120, invoices / 100))
            env = os.environ | _relais_env(sa_url, Path(tmp) / "instance", sandbox.url)
            structure_id = prepare(env, accounts[:1])[0]
            config = Config.from_env(env)
            app = create_app(config)
            with app.app_context():
                statements: Counter[str] = Counter()

                def count(*args: Any) -> None:
                    statements[" ".join(str(args[2]).split())[:150]] += 1

                event.listen(db.engine, "before_cursor_execute", count)
                watermark: dt.datetime | None = None
                for name in ("initial", "incremental"):
                    if watermark is not None:  # changes just after the initial sync's window
                        sandbox.tick(invoices // 5, watermark + dt.timedelta(seconds=5))
                    statements.clear()
                    profiler = cProfile.Profile()
                    t0 = time.perf_counter()
                    result = profiler.runcall(
                        sync_structure, current_session(), structure_id, config=config, force=True
                    )
                    elapsed = time.perf_counter() - t0
                    assert result is not None and result.window_to is not None
                    watermark = result.window_to
                    report.append(_profile_report(name, result, elapsed, statements, profiler, top))
                db.engine.dispose()
    finally:
        _drop_database(conninfo)
    return "\n\n".join(report)


def _profile_report(
    name: str,
    result: Any,
    elapsed: float,
    statements: Counter[str],
    profiler: cProfile.Profile,
    top: int,
) -> str:
    LOGS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(LOGS / f"sync-{name}.prof"))
    seen = max(result.invoices_seen, 1)
    lines = [
        f"{name}: {result.status}, {result.invoices_seen} invoices, {result.changes} changes"
        f" in {elapsed:.1f} s under cProfile ({result.invoices_seen / elapsed:.1f} invoices/s),"
        f" {sum(statements.values()) / seen:.1f} SQL statements per invoice:",
        *(f"  {n / seen:6.2f}  {text}" for text, n in statements.most_common(25)),
    ]
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return "\n".join(lines) + "\n" + out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="server of relais_bench_sync")
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--keep", action="store_true", help="keep relais_bench_sync afterwards")
    parser.add_argument("--profile", action="store_true", help="profile one supplier's sync")
    parser.add_argument("--invoices", type=int, help="sandbox invoices when profiling")
    args = parser.parse_args(argv)
    if args.profile:
        invoices = args.invoices or (QUICK if args.quick else FULL).invoices
        print(profile(args.database_url, invoices))
        return
    print(json.dumps(run(args.database_url, args.quick, args.keep), indent=2))


if __name__ == "__main__":
    main()
