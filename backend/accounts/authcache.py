"""Who a bearer token is, remembered by each web worker between requests (PostgreSQL).

A phone revalidates its screens often, and nearly always nothing has changed: the answer
is a 304 decided from the user's scope (structures, roles, service restrictions, data
versions). Loading that scope is one query; this cache spares it. It keeps, per login
session, the user and their grants, and per structure its latest data version.

It is never stale for longer than PostgreSQL takes to deliver a notification: triggers
(migration 0008) NOTIFY `relais_auth` at the commit of every change to a session, a user,
a membership, a service restriction or a data version — whoever writes it — and a listener
thread in each worker applies them (drop the session, drop the user's sessions, raise the
structure's version). While that listener is not connected and listening, the cache answers
nothing and every request goes to the database; reconnecting starts from an empty cache,
so a notification missed during an outage cannot leave a stale entry.

Races: a request that loaded a scope from the database stores it only if no session or
user notification arrived since it started (a generation counter); versions only move
forward (the larger of the stored and the loaded one wins), so an older read never
overwrites a newer notification. Entries also expire after `ttl` seconds, a bound on any
unforeseen miss. Only reads (GET, HEAD) use the cache: a write always checks its session
in the database, in its own transaction.

SQLite has no NOTIFY: there the cache is off.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from backend.accounts.scope import Grant, Scope
from backend.reconnect import Listener

log = logging.getLogger(__name__)
CHANNEL = "relais_auth"


@dataclass(frozen=True)
class _Entry:
    user_id: int
    grants: tuple[Grant, ...]
    stored_at: float


class AuthCache:
    """Login sessions and data versions of one worker process, kept fresh by NOTIFY."""

    def __init__(self, database_url: str, ttl: float = 300.0, max_sessions: int = 50_000):
        self._database_url = database_url
        self.ttl = ttl
        self.max_sessions = max_sessions
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._by_user: dict[int, set[int]] = {}
        self._versions: dict[int, int] = {}
        self._generation = 0
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0

    # -- the request side -------------------------------------------------------------

    def lookup(self, session_id: int, user_id: int) -> Scope | None:
        """The scope of a live session with current data versions, or None to ask the DB."""
        self._ensure_listening()
        if not self._ready.is_set():
            return None
        with self._lock:
            entry = self._entries.get(session_id)
            if (
                entry is None
                or entry.user_id != user_id
                or time.monotonic() - entry.stored_at > self.ttl
            ):
                return None
            grants = tuple(
                replace(g, data_version=self._versions.get(g.structure_id, g.data_version))
                for g in entry.grants
            )
        return Scope(user_id, grants)

    def begin(self) -> int:
        """A token to pass to `store` after reading the session from the database."""
        with self._lock:
            return self._generation

    def store(self, token: int, session_id: int, scope: Scope) -> None:
        """Remember a session read from the database, unless something changed meanwhile."""
        with self._lock:
            if not self._ready.is_set() or token != self._generation:
                return
            for grant in scope.grants:
                known = self._versions.get(grant.structure_id)
                if known is None or known < grant.data_version:
                    self._versions[grant.structure_id] = grant.data_version
            self._entries[session_id] = _Entry(scope.user_id, scope.grants, time.monotonic())
            self._entries.move_to_end(session_id)
            self._by_user.setdefault(scope.user_id, set()).add(session_id)
            while len(self._entries) > self.max_sessions:
                old_id, old = self._entries.popitem(last=False)
                self._forget_user_session(old.user_id, old_id)

    # -- the notification side --------------------------------------------------------

    def apply(self, payload: str) -> None:
        """Apply one `relais_auth` notification (see migration 0008)."""
        kind, _, rest = payload.partition(":")
        try:
            with self._lock:
                if kind == "v":
                    structure, _, version = rest.partition(":")
                    sid, ver = int(structure), int(version)
                    if self._versions.get(sid, -1) < ver:
                        self._versions[sid] = ver
                elif kind == "s":
                    self._generation += 1
                    entry = self._entries.pop(int(rest), None)
                    if entry is not None:
                        self._forget_user_session(entry.user_id, int(rest))
                elif kind == "u":
                    self._generation += 1
                    for session_id in self._by_user.pop(int(rest), set()):
                        self._entries.pop(session_id, None)
                else:
                    raise ValueError(kind)
        except ValueError:
            log.warning("ignored %s notification %r", CHANNEL, payload)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._by_user.clear()
            self._versions.clear()

    def _forget_user_session(self, user_id: int, session_id: int) -> None:
        sessions = self._by_user.get(user_id)
        if sessions is not None:
            sessions.discard(session_id)
            if not sessions:
                del self._by_user[user_id]

    # -- the listener thread ----------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def wait_ready(self, timeout: float) -> bool:
        self._ensure_listening()
        return self._ready.wait(timeout)

    def _ensure_listening(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid == pid:
                return
            # A forked worker inherits no thread: it starts its own, from an empty cache.
            self._pid = pid
            self._ready.clear()
            self._stop.clear()
            self._generation += 1
            self._entries.clear()
            self._by_user.clear()
            self._versions.clear()
            self._thread = threading.Thread(
                target=self._listen, name="relais-auth-listener", daemon=True
            )
            self._thread.start()

    def _listen(self) -> None:
        listener = Listener(
            self._database_url, CHANNEL, stop=self._stop,
            on_connect=self._listening, on_disconnect=self._deaf,
        )  # fmt: skip
        try:
            while not self._stop.is_set():
                for payload in listener.notifies(timeout=1.0):
                    self.apply(payload)
        finally:
            listener.close()

    def _listening(self) -> None:
        # Whatever happened before LISTEN was not heard: start from nothing.
        self.clear()
        self._ready.set()

    def _deaf(self) -> None:
        self._ready.clear()
        self.clear()

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            thread.join(timeout=5)
        self._ready.clear()
        self.clear()
