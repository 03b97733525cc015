"""Push notifications end to end: status changes committed → the FCM request of each device.

    python -m bench.push_bench                 # prints the result as JSON
    python -m bench.push_bench --quick         # fewer notifications (BENCH_QUICK=1 too)

Every part is a real process on loopback, configured as in production:

- PostgreSQL: the `relais_bench_push` database, dropped and re-created at each run, migrated,
  seeded in bulk (COPY) with structures, users, memberships, preferences that want every
  status notification, a few thousand registered devices and the invoices to change;
- the loopback FCM HTTP v1 server of tests/fcm (HTTP/2 over TLS, OAuth2 token endpoint) in
  its own process, adding 20–50 ms to every send and stamping each request's arrival time;
- `relais scheduler`, the production scheduler process whose dispatcher thread sends the
  outbox, with `PUSH_TRANSPORT=firebase` (the real firebase-admin client) aimed at it;
- this process commits status changes through `backend.ingest.record`, the single
  write path, a transaction every `--commit-batch` invoices as the sync does, and notes the
  wall-clock time each transaction's commit returned.

Two phases on the same scheduler process:

1. backlog: the scheduler is paused (SIGSTOP) while the outbox fills, then resumed (SIGCONT);
   notifications/s = delivered ÷ time from the resume to the last FCM request. It is what a
   dispatcher can send, whatever the writers do (a big supplier's sync, a restart).
2. steady: the scheduler runs while status changes are committed as fast as one writer goes;
   for each notification, delay = its FCM request's arrival − its transaction's commit.

Peak RSS is the scheduler's VmHWM (/proc/<pid>/status) at the end of both phases; CPU per
push is read from /proc/<pid>/stat for the dispatching processes and the FCM server.

Reading the numbers: firebase-admin's HTTP/2 client (httpx, h2, google-auth's flow per
request) costs about 1.3 ms of CPU per send in CPython, the whole dispatcher 1.5–2 ms, so one
dispatcher process sends at most ~500–700 pushes/s per core, and on a 2-core machine that
also runs the FCM double (~0.6–0.8 ms per send) and PostgreSQL, ~400–550/s. Dispatchers scale
out with processes (`--extra-dispatchers`, `relais push-dispatch`; SKIP LOCKED shares the
rows), which only helps with free cores: 2,000/s needs about three dispatcher cores.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import psycopg

from bench import dataset
from bench.server import reap, status_kib

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
LOGS = ROOT / "bench" / "data"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/relais_bench_push"
LATENCY_MS = (20.0, 50.0)
TARGETS = {"notifications_per_second": 2000.0, "p99_delay_ms": 2000.0}
# New statuses pushed by the run, one per invoice: each category (every change, action
# required, payment) is represented.
NEW_STATUSES = ("MANDATEE", "SUSPENDUE", "MISE_EN_PAIEMENT", "SERVICE_FAIT", "REJETEE")
PREVIOUS_STATUS = "PRISE_EN_COMPTE_DESTINATAIRE"
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@dataclass(frozen=True)
class Settings:
    database_url: str
    quick: bool
    structures: int
    users: int
    backlog_invoices: int
    steady_invoices: int
    commit_batch: int
    extra_dispatchers: int = 0
    keep_database: bool = False
    seed: int = 2026

    @property
    def invoices(self) -> int:
        return self.backlog_invoices + self.steady_invoices


def beside(database_url: str) -> str:
    """The push bench database on the same PostgreSQL server as `database_url`."""
    return database_url.rsplit("/", 1)[0] + "/" + _dbname(DEFAULT_URL)


def settings_for(quick: bool, database_url: str = DEFAULT_URL, **overrides: Any) -> Settings:
    """~3 notifications per invoice: 1,000 structures × 2 users × 1.5 devices."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "quick": quick,
        "structures": 1_000,
        "users": 2_000,
        "backlog_invoices": 1_000 if quick else 4_000,
        "steady_invoices": 400 if quick else 1_500,
        "commit_batch": 25,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


# --- database -------------------------------------------------------------------------------


def _admin_url(url: str) -> str:
    return psycopg.conninfo.make_conninfo(url, dbname="postgres")


def _dbname(url: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])


def recreate_database(url: str) -> None:
    """Drop and create the push bench database (never another one)."""
    name = _dbname(url)
    if not name.startswith("relais_bench_push"):
        raise SystemExit(f"refusing to drop {name!r}: not a push bench database")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = _dbname(url)
    if name.startswith("relais_bench_push"):
        with psycopg.connect(_admin_url(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def _copy(conn: psycopg.Connection[Any], table: str, columns: str, rows: Iterable[tuple]) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _token(rng: random.Random, device_id: int) -> str:
    """Shaped like an FCM registration token (about 160 characters)."""
    tail = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(140))
    return f"bench{device_id:06d}:APA91b{tail}"


def seed(settings: Settings) -> dict[str, int]:
    """Structures, users, memberships, preferences, devices and invoices, in bulk."""
    from backend.accounts.security import hash_password
    from bench.generate import COLUMNS

    plan = dataset.Plan(
        structures=settings.structures,
        users=settings.users,
        invoices=settings.invoices,
        recipients=50,
        big_invoices=0,
        seed=settings.seed,
    )
    rng = random.Random(settings.seed)
    now = dt.datetime.now(dt.UTC)
    before = now - dt.timedelta(hours=3)
    password = hash_password(dataset.BENCH_PASSWORD)
    counts: dict[str, int] = {}
    with psycopg.connect(settings.database_url) as conn:
        conn.execute("SET synchronous_commit = off")
        counts["structures"] = _copy(
            conn, "structures", COLUMNS["structures"], dataset.structures(plan, rng)
        )
        counts["users"] = _copy(conn, "users", COLUMNS["users"], dataset.users(plan, password))
        recipients = list(dataset.recipients(plan, rng))
        _copy(conn, "recipients", COLUMNS["recipients"], recipients)
        members = list(dataset.memberships(plan, rng))
        counts["memberships"] = _copy(conn, "memberships", COLUMNS["memberships"], members)
        # Explicit preferences that want every status notification (the default is the same).
        prefs = [(uid, sid, True, True, True) for _mid, uid, sid, _role in members]
        _copy(
            conn,
            "notification_preferences",
            "user_id, structure_id, action_required, payment, every_change",
            prefs,
        )
        devices: list[tuple[object, ...]] = []
        for uid in range(1, plan.users + 1):
            for _ in range(2 if uid % 2 == 0 else 1):  # 1.5 devices per user
                device_id = len(devices) + 1
                platform = rng.choices(["android", "ios", "web"], [6, 3, 1])[0]
                locale = "en" if uid % 25 == 0 else "fr"
                devices.append(
                    (device_id, uid, _token(rng, device_id), platform, locale, True, now, now)
                )
        counts["devices"] = _copy(
            conn,
            "devices",
            "id, user_id, token, platform, locale, active, created_at, last_seen_at",
            devices,
        )
        counts["invoices"] = _copy(
            conn, "invoices", COLUMNS["invoices"], _invoices(settings, recipients, before)
        )
        changes = (
            (iid, iid, PREVIOUS_STATUS, before, None, "portal", before)
            for iid in range(1, settings.invoices + 1)
        )
        _copy(conn, "status_changes", COLUMNS["status_changes"], changes)
        tables = ("structures", "users", "recipients", "memberships", "devices", "invoices")
        for table in (*tables, "status_changes"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return counts


def _invoices(
    settings: Settings, recipients: list[tuple], before: dt.datetime
) -> Iterator[tuple[object, ...]]:
    """One invoice per future status change, spread over every structure."""
    for iid in range(1, settings.invoices + 1):
        rid = recipients[iid % len(recipients)][0]
        yield (
            iid, portal_id(iid), number(iid), "FACTURE", "A1",
            structure_of(iid, settings), rid, None, None, before.date(), before.date(),
            "100.00", "120.00", "120.00", "EUR", "SAISIE_API",
            PREVIOUS_STATUS, None, before, before, before,
        )  # fmt: skip


def portal_id(iid: int) -> int:
    return 50_000_000 + iid


def number(iid: int) -> str:
    return f"FA-PUSH-{iid:07d}"


def structure_of(iid: int, settings: Settings) -> int:
    return (iid - 1) % settings.structures + 1


def outbox_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM push_deliveries").fetchone()
    return int(row[0]) if row else 0


def _settled(url: str, timeout: float = 30) -> dict[str, int]:
    """The outbox's states once no row is still being recorded."""
    deadline = time.monotonic() + timeout
    states = delivery_states(url)
    while states.get("sending") and time.monotonic() < deadline:
        time.sleep(0.1)
        states = delivery_states(url)
    return states


def delivery_states(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT state, count(*) FROM push_deliveries GROUP BY 1").fetchall()
    return {str(state): int(n) for state, n in rows}


# --- the loopback FCM server, in its own process ----------------------------------------------


def serve_fcm(folder: Path) -> None:
    """Child process: run the FCM server; answer `count`, `dump PATH` and `quit` on stdin."""
    from tests.fcm.fcm_server import running_fcm_server

    with running_fcm_server(latency_ms=LATENCY_MS) as server:
        account = folder / "service-account.json"
        account.write_text(json.dumps(server.service_account_info()), encoding="utf-8")
        ready = {
            "base_url": server.base_url,
            "project_id": server.project_id,
            "ca_file": str(server.ca_file),
            "credentials": str(account),
        }
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "count":
                print(sum(1 for c in list(server.calls) if c.status == 200), flush=True)
            elif command == "dump":
                calls = [
                    [c.status, c.at, (c.message or {}).get("data", {}).get("invoice_id", "")]
                    for c in list(server.calls)
                ]
                Path(argument).write_text(json.dumps(calls), encoding="utf-8")
                print(len(calls), flush=True)
            elif command == "quit":
                break


class FcmProcess:
    """The loopback FCM server in a child process (it must not share our GIL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.push_bench", "--serve-fcm", str(folder)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info: dict[str, str] = json.loads(self._line())

    def _line(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the loopback FCM server exited")
        return line

    def ask(self, command: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._line().strip()

    def count(self) -> int:
        return int(self.ask("count"))

    def calls(self) -> list[tuple[int, float, int]]:
        """(status, arrival time, invoice id) of every send."""
        path = self.folder / "calls.json"
        self.ask(f"dump {path}")
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [(int(s), float(at), int(inv) if inv else 0) for s, at, inv in raw]

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, ValueError):
            self.ask("quit")
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- the scheduler process --------------------------------------------------------------------


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Scheduler:
    """`relais scheduler` with the Firebase transport aimed at the loopback server, and
    `settings.extra_dispatchers` `relais push-dispatch` processes beside it (SKIP LOCKED)."""

    def __init__(self, settings: Settings, fcm: FcmProcess, instance: Path, log: IO[bytes]) -> None:
        from backend.site.build import STAMP_FILE, fingerprint

        site = instance / "site"
        site.mkdir(parents=True, exist_ok=True)
        # The site-rebuild job would run mkdocs at start: mark the (empty) site as built.
        empty = {"trainings": [], "announcements": [], "maintenances": []}
        stamp = {"fingerprint": fingerprint(empty)}
        (instance / STAMP_FILE).write_text(json.dumps(stamp), encoding="utf-8")
        self.env = os.environ | {
            "DATABASE_URL": settings.database_url,
            "RELAIS_INSTANCE": str(instance),
            "SITE_DIR": str(site),
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
            "PUSH_TRANSPORT": "firebase",
            "GOOGLE_APPLICATION_CREDENTIALS": fcm.info["credentials"],
            "FIREBASE_PROJECT_ID": fcm.info["project_id"],
            "FCM_BASE_URL": fcm.info["base_url"],
            "SSL_CERT_FILE": fcm.info["ca_file"],
        }
        self.proc = subprocess.Popen(
            [str(BIN / "relais"), "scheduler"], cwd=ROOT, env=self.env, stdout=log, stderr=log
        )
        self.helpers = [
            subprocess.Popen(
                [str(BIN / "relais"), "push-dispatch"], cwd=ROOT, env=self.env, stdout=log,
                stderr=log,
            )
            for _ in range(settings.extra_dispatchers)
        ]  # fmt: skip

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        return [self.proc, *self.helpers]

    def pause(self) -> None:
        for proc in self.processes:
            proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        for proc in self.processes:
            proc.send_signal(signal.SIGCONT)

    def memory(self) -> dict[str, float]:
        return {
            "peak_rss_mib": round(status_kib(self.pid, "VmHWM") / 1024, 1),
            "rss_at_end_mib": round(status_kib(self.pid, "VmRSS") / 1024, 1),
            "threads": float(status_kib(self.pid, "Threads")),
        }

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            reap(proc)


# --- the writer: status changes through the one write path -----------------------------------


class Writer:
    """Commits status changes through `backend.ingest.record`, as the sync does."""

    def __init__(self, settings: Settings, instance: Path) -> None:
        from backend import create_app
        from backend.config import Config

        config = Config(
            instance_path=str(instance),
            database_url=sa_url(settings.database_url),
            secret_key="bench-secret-key-not-for-production-0123456789abcdef",
        ).resolved()
        self.settings = settings
        self.app = create_app(config)
        self.recipients = self._recipients()

    def _recipients(self) -> dict[int, tuple[str, str]]:
        from sqlalchemy import select

        from backend.accounts.models import Recipient
        from backend.db import db

        with self.app.app_context():
            rows = db.session.execute(select(Recipient.id, Recipient.siret, Recipient.name))
            return {rid: (siret, name) for rid, siret, name in rows}

    def commit(self, invoice_ids: list[int]) -> list[tuple[list[int], float]]:
        """Record one new status per invoice; returns (invoice ids, commit time) per batch."""
        from backend import ingest
        from backend.db import db
        from backend.invoices import service

        batches = []
        rids = sorted(self.recipients)
        with self.app.app_context():
            session = db.session()
            for start in range(0, len(invoice_ids), self.settings.commit_batch):
                chunk = invoice_ids[start : start + self.settings.commit_batch]
                for iid in chunk:
                    siret, name = self.recipients[rids[iid % len(rids)]]
                    data = service.InvoiceRecord(
                        portal_id=portal_id(iid), number=number(iid),
                        recipient_siret=siret, recipient_name=name,
                    )  # fmt: skip
                    code = NEW_STATUSES[iid % len(NEW_STATUSES)]
                    change = service.ChangeIn(code, dt.datetime.now(dt.UTC))
                    ingest.record(
                        session, structure_of(iid, self.settings), data, [change], source="bench"
                    )
                session.commit()
                batches.append((chunk, time.time()))
            db.session.remove()
        return batches


# --- measuring --------------------------------------------------------------------------------


def _wait_for(fcm: FcmProcess, expected: int, timeout: float) -> float:
    """Poll until the server has accepted `expected` sends; returns the time it saw them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fcm.count() >= expected:
            return time.time()
        time.sleep(0.05)
    raise TimeoutError(f"the FCM server received fewer than {expected} sends in {timeout} s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(settings: Settings) -> dict[str, Any]:
    LOGS.mkdir(parents=True, exist_ok=True)
    from backend.migrate import upgrade

    started = time.perf_counter()
    recreate_database(settings.database_url)
    upgrade(sa_url(settings.database_url))
    seeded = seed(settings)
    print(f"  push: seeded {seeded}", flush=True)
    with tempfile.TemporaryDirectory(prefix="relais-push-bench-") as tmp:
        folder = Path(tmp)
        fcm = FcmProcess(folder)
        log = (LOGS / "push-scheduler.log").open("wb")
        scheduler: Scheduler | None = None
        try:
            writer = Writer(settings, folder / "writer")
            scheduler = Scheduler(settings, fcm, folder / "scheduler", log)
            _warm_up(scheduler, fcm)
            backlog = _backlog(settings, writer, scheduler, fcm)
            steady = _steady(settings, writer, fcm, backlog["delivered"])
            memory = scheduler.memory()
            states = _settled(settings.database_url)
        finally:
            if scheduler is not None:
                scheduler.stop()
            fcm.close()
            log.close()
            if not settings.keep_database:
                drop_database(settings.database_url)
    from backend.push import dispatcher

    result: dict[str, Any] = {
        "notifications_per_second": backlog["notifications_per_second"],
        "delivered": backlog["delivered"] + steady["delivered"],
        "p50_delay_ms": steady["p50_delay_ms"],
        "p95_delay_ms": steady["p95_delay_ms"],
        "p99_delay_ms": steady["p99_delay_ms"],
        "max_delay_ms": steady["max_delay_ms"],
        "scheduler_peak_rss_mib": memory["peak_rss_mib"],
        "scheduler_rss_at_end_mib": memory["rss_at_end_mib"],
        "backlog_notifications": backlog["delivered"],
        "backlog_wall_s": backlog["wall_s"],
        "steady_notifications": steady["delivered"],
        "steady_wall_s": steady["wall_s"],
        "steady_offered_per_second": steady["offered_per_second"],
        "steady_notifications_per_second": steady["notifications_per_second"],
        "cpu_ms_per_notification_dispatchers": backlog["cpu_ms_per_notification_dispatchers"],
        "cpu_ms_per_notification_fcm_server": backlog["cpu_ms_per_notification_fcm_server"],
        "cores": os.cpu_count() or 0,
        "devices": seeded["devices"],
        "structures": seeded["structures"],
        "commit_batch_invoices": settings.commit_batch,
        "dispatch_batch": dispatcher.BATCH,
        "dispatch_batches_in_flight": 1,
        "dispatcher_processes": 1 + settings.extra_dispatchers,
        "fcm_latency_ms": f"{LATENCY_MS[0]:.0f}-{LATENCY_MS[1]:.0f}",
        "fcm_protocol": "HTTP/2 over TLS (firebase-admin httpx)",
        "outbox_states": ", ".join(f"{k} {v}" for k, v in sorted(states.items())),
        "seconds": round(time.perf_counter() - started, 1),
    }
    met_rate = result["notifications_per_second"] >= TARGETS["notifications_per_second"]
    met_delay = result["p99_delay_ms"] <= TARGETS["p99_delay_ms"]
    result |= {
        "target_notifications_per_second": f"≥ {TARGETS['notifications_per_second']:,.0f}",
        "target_p99_delay_ms": f"≤ {TARGETS['p99_delay_ms']:,.0f}",
        "met_notifications_per_second": met_rate,
        "met_p99_delay": met_delay,
        "load_average_at_end": round(os.getloadavg()[0], 1),
    }
    return result


def _warm_up(scheduler: Scheduler, fcm: FcmProcess) -> None:
    """Wait until every dispatcher is up (LISTENing for the outbox's NOTIFY)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if scheduler.proc.poll() is not None:
            raise RuntimeError("the scheduler exited; see bench/data/push-scheduler.log")
        if _listening(scheduler.env["DATABASE_URL"]) >= len(scheduler.processes):
            return
        time.sleep(0.2)
    raise RuntimeError("the scheduler's dispatcher never LISTENed")


def _listening(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND query LIKE 'LISTEN %%'"
        ).fetchone()
    return int(row[0]) if row else 0


def _backlog(
    settings: Settings, writer: Writer, scheduler: Scheduler, fcm: FcmProcess
) -> dict[str, Any]:
    """Fill the outbox with the dispatcher paused, then time how fast it drains."""
    scheduler.pause()
    try:
        t0 = time.perf_counter()
        writer.commit(list(range(1, settings.backlog_invoices + 1)))
        commit_s = time.perf_counter() - t0
    finally:
        cpu_before = _cpu(scheduler, fcm)
        resumed = time.time()
        scheduler.resume()
    expected = outbox_rows(settings.database_url)
    print(
        f"  push backlog: {expected} pushes from {settings.backlog_invoices} status changes"
        f" committed in {commit_s:.1f} s; draining",
        flush=True,
    )
    _wait_for(fcm, expected, timeout=300)
    cpu_after = _cpu(scheduler, fcm)
    arrivals = [at for status, at, _inv in fcm.calls() if status == 200]
    wall = max(arrivals) - resumed
    rate = round(len(arrivals) / wall, 1)
    print(f"  push backlog: {len(arrivals)} sent in {wall:.2f} s: {rate:,.0f}/s", flush=True)
    cpu = {
        f"cpu_ms_per_notification_{name}": round(
            1000 * (cpu_after[name] - cpu_before[name]) / len(arrivals), 3
        )
        for name in cpu_before
    }
    return {
        "delivered": len(arrivals),
        "wall_s": round(wall, 2),
        "notifications_per_second": rate,
        **cpu,
    }


def _cpu(scheduler: Scheduler, fcm: FcmProcess) -> dict[str, float]:
    """CPU seconds so far of the scheduler and of the FCM server (PostgreSQL's share is
    ~0.01–0.05 ms per push: not worth following backends that come and go)."""
    return {
        "dispatchers": sum(cpu_seconds(proc.pid) for proc in scheduler.processes),
        "fcm_server": cpu_seconds(fcm.proc.pid),
    }


def _steady(settings: Settings, writer: Writer, fcm: FcmProcess, already: int) -> dict[str, Any]:
    """Commit while the dispatcher runs; delay from each commit to each FCM request."""
    first = settings.backlog_invoices + 1
    ids = list(range(first, first + settings.steady_invoices))
    t0 = time.time()
    batches = writer.commit(ids)
    committed_s = time.time() - t0
    expected = outbox_rows(settings.database_url)
    _wait_for(fcm, expected, timeout=300)
    committed_at = {iid: at for chunk, at in batches for iid in chunk}
    delays, last = [], 0.0
    for status, at, invoice_id in fcm.calls():
        if status == 200 and invoice_id in committed_at:
            delays.append((at - committed_at[invoice_id]) * 1000)
            last = max(last, at)
    wall = last - t0
    result = {
        "delivered": len(delays),
        "wall_s": round(wall, 2),
        "offered_per_second": round(len(delays) / committed_s, 1),
        "notifications_per_second": round(len(delays) / wall, 1),
        "p50_delay_ms": round(percentile(delays, 50), 1),
        "p95_delay_ms": round(percentile(delays, 95), 1),
        "p99_delay_ms": round(percentile(delays, 99), 1),
        "max_delay_ms": round(max(delays), 1),
        "mean_delay_ms": round(statistics.fmean(delays), 1),
    }
    print(
        f"  push steady: {len(delays)} pushes committed at {result['offered_per_second']:,.0f}/s;"
        f" delay p50 {result['p50_delay_ms']} ms, p99 {result['p99_delay_ms']} ms",
        flush=True,
    )
    return result


def parse_args(argv: list[str] | None = None) -> tuple[Settings, argparse.Namespace]:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--backlog-invoices", type=int)
    parser.add_argument("--steady-invoices", type=int)
    parser.add_argument("--commit-batch", type=int)
    parser.add_argument(
        "--extra-dispatchers",
        type=int,
        help="`relais push-dispatch` processes beside the scheduler (default 0)",
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--serve-fcm", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = settings_for(
        args.quick,
        args.database_url,
        backlog_invoices=args.backlog_invoices,
        steady_invoices=args.steady_invoices,
        commit_batch=args.commit_batch,
        extra_dispatchers=args.extra_dispatchers,
        keep_database=args.keep_database or None,
    )
    return settings, args


def main(argv: list[str] | None = None) -> None:
    settings, args = parse_args(argv)
    if args.serve_fcm:
        serve_fcm(args.serve_fcm)
        return
    print(f"Push bench: {json.dumps(asdict(settings))}", flush=True)
    print(json.dumps(run(settings), indent=2))


if __name__ == "__main__":
    main()
