"""The sandbox's state: store, clock, issued tokens, faults, lifecycle and demo thread."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import random
import secrets
import threading
from collections import Counter
from collections.abc import Callable

from backend.portal.endpoints import (
    CODE_ACCOUNT_REFUSED,
    CODE_NOT_CONNECTED,
    CODE_PASSWORD_EXPIRED,
)
from backend.portal.sandbox.faults import Faults
from backend.portal.sandbox.lifecycle import Change, Lifecycle
from backend.portal.sandbox.render import CURRENT, WireStyle
from backend.portal.sandbox.store import Store
from backend.portal.wire import PARIS

log = logging.getLogger(__name__)


class AccountRefused(Exception):
    """The cpro-account header does not open the portal: code and libellé to answer."""

    def __init__(self, code: int, libelle: str) -> None:
        super().__init__(libelle)
        self.code, self.libelle = code, libelle


class Sandbox:
    """Everything a sandbox request or a test needs to read or change."""

    def __init__(
        self,
        store: Store,
        *,
        seed: int,
        clock: Callable[[], dt.datetime],
        token_lifetime: int = 3600,
    ) -> None:
        self.store, self.clock = store, clock
        self.lifecycle = Lifecycle(store, random.Random(f"{seed}-lifecycle"))
        self.faults = Faults()
        self.wire: WireStyle = CURRENT  # how answers are spelt (render.STYLES)
        self.token_lifetime = token_lifetime
        self.calls: Counter[str] = Counter()
        # Every API call as it arrived: (epoch seconds, HTTP status), for quota checks.
        self.call_log: list[tuple[float, int]] = []
        self._tokens: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()
        self._demo: tuple[threading.Thread, threading.Event] | None = None

    def issue_token(self, client_id: str, client_secret: str) -> str | None:
        """A new access token for a known OAuth client, or None."""
        known = self.store.row(
            "SELECT client_secret FROM oauth_clients WHERE client_id = ?", [client_id]
        )
        if known is None or not secrets.compare_digest(known[0], client_secret):
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.clock() + dt.timedelta(seconds=self.token_lifetime)
            self.calls["token"] += 1
        return token

    def record_call(self, arrived: float, status: int) -> None:
        with self._lock:
            self.call_log.append((arrived, status))

    def calls_since(self, since: float = 0.0) -> list[tuple[float, int]]:
        """The API calls arrived from `since` (epoch seconds): (arrival, HTTP status)."""
        with self._lock:
            return [call for call in self.call_log if call[0] >= since]

    def token_valid(self, token: str) -> bool:
        with self._lock:
            expires_at = self._tokens.get(token)
        return expires_at is not None and self.clock() < expires_at

    def expire_tokens(self) -> None:
        """Revoke every token issued so far, before its stated expiry (fault injection)."""
        with self._lock:
            self._tokens.clear()

    def supplier_for(self, header: str | None) -> int:
        """The supplier structure a cpro-account header opens, or AccountRefused."""
        try:
            login, _, password = (
                base64.b64decode(header or "", validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            login, password = "", ""
        row = self.store.row("SELECT * FROM accounts WHERE login = ?", [login])
        if row is None or not secrets.compare_digest(row["password"], password):
            raise AccountRefused(
                CODE_ACCOUNT_REFUSED, "Compte technique inconnu ou mot de passe incorrect."
            )
        if row["password_expires_on"] < self.clock().astimezone(PARIS).date().isoformat():
            raise AccountRefused(
                CODE_PASSWORD_EXPIRED,
                "Le mot de passe du compte technique a expiré. Il doit être renouvelé.",
            )
        if self.store.row("SELECT 1 FROM api_mode_off WHERE structure_id = ?",
                          [row["structure_id"]]):  # fmt: skip
            raise AccountRefused(
                CODE_NOT_CONNECTED,
                "La structure n'est pas raccordée en mode API à cette application.",
            )
        return int(row["structure_id"])

    def set_api_mode(self, siret: str, connected: bool) -> None:
        """Connect a supplier structure in API mode, or disconnect it (the portal's side)."""
        found = self.store.row("SELECT id FROM structures WHERE siret = ?", [siret])
        if found is None:
            raise KeyError(siret)
        self.store.execute("DELETE FROM api_mode_off WHERE structure_id = ?", [found[0]])
        if not connected:
            self.store.insert("api_mode_off", {"structure_id": found[0]})

    def set_password(self, login: str, password: str, expires_on: dt.date) -> None:
        """Renew a technical account's password on the portal's side."""
        values = {"password": password, "password_expires_on": expires_on.isoformat()}
        self.store.update("accounts", login, values, "login")

    def expire_password(self, login: str, on: dt.date | None = None) -> None:
        """Make a technical account's password expired (yesterday unless told)."""
        day = on or (self.clock().astimezone(PARIS).date() - dt.timedelta(days=1))
        self.set_password_expiry(login, day)

    def set_password_expiry(self, login: str, on: dt.date) -> None:
        """The day a technical account's password stops working (renewal included)."""
        self.store.update("accounts", login, {"password_expires_on": on.isoformat()}, "login")

    def accounts(self) -> list[dict[str, object]]:
        """The suppliers' technical accounts, with their passwords: sandbox data, never real
        secrets. The onboarding cases (`cases()`) are left out."""
        return [dict(r) for r in self.store.rows(
            "SELECT a.*, s.siret, s.name FROM accounts a "
            "JOIN structures s ON s.id = a.structure_id "
            "WHERE a.login NOT IN (SELECT login FROM account_cases) ORDER BY s.id"
        )]  # fmt: skip

    def cases(self) -> dict[str, dict[str, object]]:
        """The accounts of onboarding's failure paths, by case (backend/portal/sandbox/cases.py)."""
        return {r["case_name"]: dict(r) for r in self.store.rows(
            "SELECT a.*, s.siret, s.name, c.name AS case_name FROM account_cases c "
            "JOIN accounts a ON a.login = c.login JOIN structures s ON s.id = a.structure_id"
        )}  # fmt: skip

    def advance(self, now: dt.datetime | None = None) -> list[Change]:
        """Play the lifecycle up to `now` (the clock's time by default)."""
        return self.lifecycle.advance(now or self.clock())

    def tick(self, count: int = 3, at: dt.datetime | None = None) -> list[Change]:
        """Move a few live invoices now (or stamped `at`), whatever their schedule."""
        return self.lifecycle.tick(at or self.clock(), count)

    def set_status(self, invoice_id: int, code: str, comment: str | None = None) -> None:
        """Stamp a status on an invoice at the clock's time (tests and demos)."""
        self.store.add_change(invoice_id, code, self.clock(), comment)

    def nudge(self, invoice_id: int) -> None:
        """Change one invoice's status right now, finished or not (pages changing mid-walk)."""
        if self.lifecycle.step(invoice_id, self.clock()) is None:
            self.set_status(invoice_id, "MANDATEE", "Mandat ressaisi après coup.")

    def start_demo(self, interval: float = 3.0, count: int = 3) -> None:
        """Live demo mode: a background thread moves `count` invoices every `interval` s."""
        if self._demo is not None:
            return
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                for change in self.tick(count):
                    log.info("sandbox: invoice %s -> %s", change.invoice_id, change.code)

        thread = threading.Thread(target=run, name="sandbox-demo", daemon=True)
        self._demo = (thread, stop)
        thread.start()

    def stop_demo(self) -> None:
        if self._demo is not None:
            thread, stop = self._demo
            stop.set()
            thread.join(timeout=5)
            self._demo = None
