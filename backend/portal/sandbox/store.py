"""The sandbox's own SQLite store (stdlib sqlite3): never Relais' models or database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS structures (
  id INTEGER PRIMARY KEY, siret TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
  kind TEXT NOT NULL, email TEXT, address TEXT, postal_code TEXT, city TEXT,
  service_code_required INTEGER NOT NULL DEFAULT 0,
  engagement_required INTEGER NOT NULL DEFAULT 0,
  engagement_or_service INTEGER NOT NULL DEFAULT 0,
  payment_not_reported INTEGER NOT NULL DEFAULT 0,
  payment_days INTEGER NOT NULL DEFAULT 30);
CREATE TABLE IF NOT EXISTS services (
  id INTEGER PRIMARY KEY, structure_id INTEGER NOT NULL REFERENCES structures(id),
  code TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  login TEXT PRIMARY KEY, password TEXT NOT NULL,
  structure_id INTEGER NOT NULL REFERENCES structures(id), password_expires_on TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_mode_off (
  structure_id INTEGER PRIMARY KEY REFERENCES structures(id));
CREATE TABLE IF NOT EXISTS account_cases (
  login TEXT PRIMARY KEY REFERENCES accounts(login), name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS oauth_clients (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
  id INTEGER PRIMARY KEY, supplier_id INTEGER NOT NULL, recipient_id INTEGER NOT NULL,
  service_id INTEGER, number TEXT NOT NULL, type TEXT NOT NULL, framework TEXT NOT NULL,
  engagement TEXT, invoice_date TEXT NOT NULL, deposit_date TEXT, currency TEXT NOT NULL,
  amount_ht TEXT NOT NULL, amount_ttc TEXT NOT NULL, amount_to_pay TEXT NOT NULL,
  deposit_mode TEXT NOT NULL, status TEXT NOT NULL, status_at TEXT NOT NULL,
  status_comment TEXT, stage INTEGER NOT NULL DEFAULT 0, next_at TEXT, flags TEXT NOT NULL
  DEFAULT '');
CREATE INDEX IF NOT EXISTS invoices_by_supplier ON invoices (supplier_id, status_at, id);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT, invoice_id INTEGER NOT NULL REFERENCES invoices(id),
  code TEXT NOT NULL, at TEXT NOT NULL, comment TEXT);
CREATE INDEX IF NOT EXISTS history_by_invoice ON history (invoice_id, at);
CREATE VIEW IF NOT EXISTS invoice_view AS
  SELECT i.*, r.siret AS recipient_siret, r.name AS recipient_name,
         s.code AS service_code, s.name AS service_name,
         f.siret AS supplier_siret, f.name AS supplier_name
  FROM invoices i JOIN structures r ON r.id = i.recipient_id
  JOIN structures f ON f.id = i.supplier_id LEFT JOIN services s ON s.id = i.service_id;
"""

# Times are stored as naive UTC text of one fixed width, so text order is time order.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT)


def from_text(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, TIME_FORMAT).replace(tzinfo=dt.UTC)


class Store:
    """A thin, thread-safe wrapper over one sqlite3 connection (file or :memory:)."""

    def __init__(self, path: str | None = None) -> None:
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self._batching = 0
        with self.lock:
            # A sandbox, not a ledger: WAL without fsync on every write keeps seeding fast.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes in one transaction (seeding)."""
        with self.lock:
            self._batching += 1
            try:
                yield
            finally:
                self._batching -= 1
                if not self._batching:
                    self._db.commit()

    def close(self) -> None:
        self._db.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._db.execute(sql, params).fetchall()

    def row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write and commit; return the new row id."""
        with self.lock:
            cursor = self._db.execute(sql, params)
            if not self._batching:
                self._db.commit()
            return int(cursor.lastrowid or 0)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        return self.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
        )

    def update(
        self, table: str, key: int | str, values: dict[str, Any], column: str = "id"
    ) -> None:
        sets = ", ".join(f"{name} = ?" for name in values)
        self.execute(f"UPDATE {table} SET {sets} WHERE {column} = ?", [*values.values(), key])

    def is_empty(self) -> bool:
        return self.row("SELECT 1 FROM structures LIMIT 1") is None

    def add_change(
        self, invoice_id: int, code: str, at: dt.datetime, comment: str | None = None
    ) -> None:
        """Append a status to the history; the portal shows the last one applied as current."""
        with self.lock:
            self.insert(
                "history",
                {"invoice_id": invoice_id, "code": code, "at": to_text(at), "comment": comment},
            )
            self.update(
                "invoices",
                invoice_id,
                {"status": code, "status_at": to_text(at), "status_comment": comment},
            )

    def search(
        self,
        supplier_id: int,
        since: dt.datetime | None,
        until: dt.datetime | None,
        statuses: Iterable[str],
        offset: int,
        limit: int,
    ) -> tuple[list[sqlite3.Row], int]:
        """One page of a supplier's invoices, oldest status change first, and the total."""
        where, params = ["supplier_id = ?"], [supplier_id]  # type: list[str], list[Any]
        if since is not None:
            where.append("status_at >= ?")
            params.append(to_text(since))
        if until is not None:
            where.append("status_at < ?")
            params.append(to_text(until))
        codes = list(statuses)
        if codes:
            where.append(f"status IN ({', '.join('?' for _ in codes)})")
            params.extend(codes)
        clause = " AND ".join(where)
        with self.lock:
            total = self.row(f"SELECT count(*) FROM invoices WHERE {clause}", params)
            page = self.rows(
                f"SELECT * FROM invoice_view WHERE {clause} "
                "ORDER BY status_at, id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
        return page, int(total[0]) if total else 0

    def history(self, invoice_id: int) -> list[sqlite3.Row]:
        """Newest first, as the portal sorts it by default."""
        return self.rows(
            "SELECT * FROM history WHERE invoice_id = ? ORDER BY at DESC, id DESC", [invoice_id]
        )
