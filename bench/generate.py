"""Bulk-load the benchmark data set into PostgreSQL (COPY) or SQLite (`--small`).

    python -m bench.generate                      # 10,000 structures, 1,000,000 invoices
    python -m bench.generate --small --database-url sqlite:///bench/data/bench.db

The schema comes from our Alembic migrations; a marker table `bench_dataset` records what
was loaded, so a second run with the same plan does nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from backend.accounts.security import hash_password
from backend.invoices.counts import REBUILD_SQL
from backend.migrate import upgrade
from bench import dataset
from bench.dataset import Plan, Row

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/relais_bench"
COLUMNS = {
    "structures": "id, siret, name, address_line1, address_line2, postal_code, city, country, "
    "data_version, created_at",
    "users": "id, email, password_hash, full_name, locale, is_admin, is_trainer, is_demo, "
    "active, created_at",
    "recipients": "id, siret, name, service_code_required, engagement_required, "
    "engagement_or_service_required, payment_status_not_reported",
    "recipient_services": "id, recipient_id, code, name, active",
    "memberships": "id, user_id, structure_id, role",
    "membership_services": "membership_id, service_id",
    "invoices": "id, portal_id, number, type, billing_framework, structure_id, recipient_id, "
    "service_id, engagement_number, invoice_date, deposit_date, amount_excl_tax, "
    "amount_incl_tax, amount_to_pay, currency, deposit_mode, status_code, status_comment, "
    "status_changed_at, created_at, updated_at",
    "status_changes": "id, invoice_id, code, occurred_at, comment, source, recorded_at",
}
BIG_TABLES = ("invoices", "status_changes")
MARKER_DDL = "CREATE TABLE bench_dataset (plan TEXT PRIMARY KEY, details TEXT NOT NULL)"


class Timer:
    """Named phases and how long each took."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.started = time.perf_counter()

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        result = func()
        self.phases[name] = round(time.perf_counter() - t0, 1)
        print(f"  {name}: {self.phases[name]} s", flush=True)
        return result

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self.started, 1)


# --- PostgreSQL -------------------------------------------------------------------------


def _pg_text(row: Row) -> str:
    """One COPY text line; our generated values hold no tab, newline or backslash."""
    return "\t".join("\\N" if v is None else str(v) for v in row) + "\n"


def _copy(conn: psycopg.Connection[Any], table: str, rows: Iterable[Row]) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(_pg_text(row))
            if len(chunk) == 5_000:
                copy.write("".join(chunk))
                count += len(chunk)
                chunk.clear()
        copy.write("".join(chunk))
        count += len(chunk)
    return count


def pg_marker(conninfo: str) -> dict[str, Any] | None:
    """What the bench database holds, or None when it does not exist or is not ours."""
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as conn:
            row = conn.execute("SELECT details FROM bench_dataset ORDER BY plan LIMIT 1").fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    return json.loads(row[0]) if row else None


def _recreate_pg_database(conninfo: str) -> None:
    """Drop and create the bench database; refuse to drop one that is not a bench database."""
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    name = str(info["dbname"])
    admin = psycopg.conninfo.make_conninfo(conninfo, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            try:
                with psycopg.connect(conninfo) as db:
                    db.execute("SELECT 1 FROM bench_dataset")
            except psycopg.errors.UndefinedTable:
                sys.exit(f"{name} exists and holds no bench_dataset table: not dropping it")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _secondary(conn: psycopg.Connection[Any]) -> tuple[list[str], list[str]]:
    """DDL to recreate the big tables' constraints (but the primary keys) and indexes."""
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid::regclass::text = ANY(%s) AND contype <> 'p'",
        [list(BIG_TABLES)],
    ).fetchall()
    owned = {name for _t, name, _d in constraints}
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
        " AND indexname NOT LIKE 'pk_%%'",
        [list(BIG_TABLES)],
    ).fetchall()
    drops = [f'ALTER TABLE {t} DROP CONSTRAINT "{n}"' for t, n, _d in constraints]
    drops += [f'DROP INDEX "{n}"' for n, _d in indexes if n not in owned]
    # Unique constraints first (they build indexes), foreign keys last (they read them).
    ordered = sorted(constraints, key=lambda c: c[2].startswith("FOREIGN"))
    creates = [d for n, d in indexes if n not in owned]
    creates += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in ordered]
    return drops, creates


def _copy_invoices(conninfo: str, plan: Plan, rng: random.Random, services_of: Any) -> int:
    """Invoices and their changes stream on two connections at once (two server cores)."""
    changes: list[list[Row]] = []
    done = threading.Event()
    lock = threading.Condition()

    def invoice_rows() -> Iterator[Row]:
        for invoice, steps in dataset.invoices(plan, rng, services_of):
            with lock:
                changes.append(steps)
                lock.notify()
            yield invoice
        with lock:
            done.set()
            lock.notify()

    def change_rows() -> Iterator[Row]:
        while True:
            with lock:
                while not changes and not done.is_set():
                    lock.wait()
                batch = changes[:]
                changes.clear()
            if not batch and done.is_set():
                return
            for steps in batch:
                yield from steps

    counted: dict[str, int] = {}

    def load_changes() -> None:
        with _pg_connect(conninfo) as conn:
            counted["changes"] = _copy(conn, "status_changes", change_rows())

    worker = threading.Thread(target=load_changes)
    worker.start()
    with _pg_connect(conninfo) as conn:
        _copy(conn, "invoices", invoice_rows())
    worker.join()
    return counted["changes"]


def _pg_connect(conninfo: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(conninfo)
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    return conn


def load_postgresql(conninfo: str, sa_url: str, plan: Plan) -> dict[str, Any]:
    timer = Timer()
    timer.run("create database", lambda: _recreate_pg_database(conninfo))
    timer.run("migrations", lambda: upgrade(sa_url))
    rng = random.Random(plan.seed)
    password = hash_password(dataset.BENCH_PASSWORD)  # one argon2 hash, reused by every user
    with _pg_connect(conninfo) as conn:
        member_rows = list(dataset.memberships(plan, rng))
        service_rows, services_of = dataset.recipient_services(plan, rng)

        def small_tables() -> None:
            _copy(conn, "structures", dataset.structures(plan, rng))
            _copy(conn, "users", dataset.users(plan, password))
            _copy(conn, "recipients", dataset.recipients(plan, rng))
            _copy(conn, "recipient_services", service_rows)
            _copy(conn, "memberships", member_rows)
            links = dataset.membership_services(member_rows, len(service_rows), rng)
            _copy(conn, "membership_services", links)
            conn.commit()

        timer.run("copy structures, users, recipients, memberships", small_tables)
        drops, creates = _secondary(conn)
        for ddl in drops:
            conn.execute(ddl)
        conn.commit()
    changes = timer.run(
        "copy invoices and status changes", lambda: _copy_invoices(conninfo, plan, rng, services_of)
    )
    with _pg_connect(conninfo) as conn:

        def rebuild() -> None:
            for ddl in creates:
                conn.execute(ddl)
            conn.commit()

        timer.run("indexes and constraints", rebuild)
        timer.run("data versions and sequences", lambda: _finish_pg(conn))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        timer.run("vacuum analyze", lambda: conn.execute("VACUUM (ANALYZE)"))
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        details = _details(plan, timer, changes, size[0] if size else 0)
        conn.execute(MARKER_DDL)
        conn.execute(
            "INSERT INTO bench_dataset VALUES (%s, %s)", [plan.label(), json.dumps(details)]
        )
    return details


def _finish_pg(conn: psycopg.Connection[Any]) -> None:
    """Each change bumped its structure's data_version; counts per status; identities go on."""
    conn.execute(
        "UPDATE structures s SET data_version = v.n FROM (SELECT i.structure_id, count(*) AS n"
        " FROM status_changes c JOIN invoices i ON i.id = c.invoice_id GROUP BY 1) v"
        " WHERE v.structure_id = s.id"
    )
    conn.execute(REBUILD_SQL)  # what record() would have kept while loading one by one
    for table in ("structures", "users", "recipients", "recipient_services", "memberships"):
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    for table in BIG_TABLES:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    conn.commit()


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        # SQLAlchemy's SQLite storage format, UTC, always with microseconds (ordered as text).
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _insert(conn: sqlite3.Connection, table: str, rows: Iterable[Row]) -> int:
    width = COLUMNS[table].count(",") + 1
    sql = f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({', '.join('?' * width)})"
    converted = [tuple(_sqlite_value(v) for v in row) for row in rows]
    conn.executemany(sql, converted)
    return len(converted)


def load_sqlite(path: Path, sa_url: str, plan: Plan) -> dict[str, Any]:
    timer = Timer()
    if path.exists():
        with sqlite3.connect(path) as probe:
            if not probe.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'bench_dataset'"
            ).fetchone():
                sys.exit(f"{path} exists and is not a bench database: not deleting it")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    timer.run("migrations", lambda: upgrade(sa_url))
    rng = random.Random(plan.seed)
    password = hash_password(dataset.BENCH_PASSWORD)
    conn = sqlite3.connect(path)
    member_rows = list(dataset.memberships(plan, rng))
    service_rows, services_of = dataset.recipient_services(plan, rng)

    def load() -> int:
        _insert(conn, "structures", dataset.structures(plan, rng))
        _insert(conn, "users", dataset.users(plan, password))
        _insert(conn, "recipients", dataset.recipients(plan, rng))
        _insert(conn, "recipient_services", service_rows)
        _insert(conn, "memberships", member_rows)
        links = dataset.membership_services(member_rows, len(service_rows), rng)
        _insert(conn, "membership_services", links)
        invoices, changes = [], []
        for invoice, steps in dataset.invoices(plan, rng, services_of):
            invoices.append(invoice)
            changes.extend(steps)
        _insert(conn, "invoices", invoices)
        _insert(conn, "status_changes", changes)
        conn.execute(
            "UPDATE structures SET data_version = (SELECT count(*) FROM status_changes c"
            " JOIN invoices i ON i.id = c.invoice_id WHERE i.structure_id = structures.id)"
        )
        conn.execute(REBUILD_SQL)
        conn.commit()
        return len(changes)

    changes = timer.run("insert rows", load)
    timer.run("analyze", lambda: conn.execute("ANALYZE"))
    details = _details(plan, timer, changes, path.stat().st_size)
    conn.execute(MARKER_DDL)
    conn.execute("INSERT INTO bench_dataset VALUES (?, ?)", [plan.label(), json.dumps(details)])
    conn.commit()
    conn.close()
    return details


def sqlite_marker(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    with sqlite3.connect(path) as conn:
        try:
            row = conn.execute("SELECT details FROM bench_dataset LIMIT 1").fetchone()
        except sqlite3.OperationalError:
            return None
    return json.loads(row[0]) if row else None


# --- Command line -------------------------------------------------------------------------


def _details(plan: Plan, timer: Timer, changes: int, size: int) -> dict[str, Any]:
    return {
        "plan": asdict(plan),
        "status_changes": changes,
        "seconds": timer.total,
        "phases": timer.phases,
        "database_bytes": size,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--small", action="store_true", help="200 structures, 20,000 invoices")
    parser.add_argument("--structures", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--invoices", type=int)
    parser.add_argument("--big-invoices", type=int, help="invoices of the big supplier")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--force", action="store_true", help="regenerate even if already loaded")
    return parser.parse_args(argv)


def plan_from(args: argparse.Namespace) -> Plan:
    plan = dataset.SMALL if args.small else dataset.FULL
    changes = {
        key: getattr(args, key)
        for key in ("structures", "users", "invoices", "big_invoices", "seed")
        if getattr(args, key) is not None
    }
    if "structures" in changes and "users" not in changes:
        changes["users"] = 2 * changes["structures"]
    plan = replace(plan, **changes)
    if "invoices" in changes and "big_invoices" not in changes:
        plan = replace(plan, big_invoices=min(plan.big_invoices, plan.invoices // 10))
    return plan


def ensure(database_url: str, plan: Plan, force: bool = False) -> dict[str, Any]:
    """Load the plan unless the database already holds exactly it; return its details."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        marker = sqlite_marker(path)
        if marker and marker["plan"] == asdict(plan) and not force:
            print(f"{path} already holds {plan.label()}: migrating it to the latest schema")
            upgrade(str(url))
            return marker
        return load_sqlite(path, str(url), plan)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    marker = pg_marker(conninfo)
    sa_url = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if marker and marker["plan"] == asdict(plan) and not force:
        print(f"{url.database} already holds {plan.label()}: migrating it to the latest schema")
        upgrade(sa_url)  # new indexes land on the existing data
        return marker
    print(f"Loading {plan.label()} into {url.database}", flush=True)
    return load_postgresql(conninfo, sa_url, plan)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    details = ensure(args.database_url, plan_from(args), args.force)
    print(
        f"{details['plan']['invoices']:,} invoices, {details['status_changes']:,} status changes,"
        f" {details['database_bytes'] / 2**20:,.0f} MiB, generated in {details['seconds']} s"
    )


if __name__ == "__main__":
    main()
