"""A sync run's progress: its counters, its lease kept alive, what it could not store."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from backend import ingest
from backend.db import utcnow
from backend.portal.pacing import PageCursor
from backend.sync.models import SyncRun, SyncState

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)

RENEWALS = 4  # times per lease a run extends it (and writes its counters)


class Interrupted(Exception):
    """The process is stopping: the run ends here, the next one starts from its watermark."""


@dataclass
class Progress:
    """A run's counters, kept here and written with the lease, not at every invoice."""

    run: SyncRun
    state: SyncState
    structure_id: int
    invoices_seen: int = 0
    changes: int = 0
    errors: int = 0
    renewed_at: float = field(default_factory=time.monotonic)
    # Recipients whose directory entry this run has looked at (or decided not to).
    directories: set[int] = field(default_factory=set)
    stop: threading.Event | None = None  # set when the process stops: the run ends early
    push_max_age: dt.timedelta = ingest.PUSH_MAX_AGE
    started: float = field(default_factory=time.monotonic)
    # Times of the invoices this run could not store (None: time unknown).
    held: list[dt.datetime | None] = field(default_factory=list)
    lease: dt.timedelta = LEASE
    # Where the walk stands, and how many search pages this turn may read (None: all).
    cursor: PageCursor = field(default_factory=PageCursor)
    pages_per_turn: int | None = None
    portal_calls: int = 0

    def skip(self, portal_id: int | None, at: dt.datetime | None, reason: str) -> None:
        """An invoice not stored: counted, logged, and the next run reads again from it."""
        self.errors += 1
        self.held.append(at)
        log.warning("portal invoice %s of structure %s skipped: %s",
                    portal_id, self.structure_id, reason)  # fmt: skip

    def watermark(
        self, window_from: dt.datetime | None, window_to: dt.datetime
    ) -> dt.datetime | None:
        """Where the next run starts: past every stored invoice, never past a skipped one.

        The portal's filter is read to the minute, so the next window starts at the minute
        of the earliest skipped invoice; one of unknown time keeps the whole window."""
        if not self.held:
            return window_to
        if any(at is None for at in self.held):
            return window_from
        earliest = min(at for at in self.held if at is not None)
        resume = min(earliest.replace(second=0, microsecond=0), window_to)
        return resume if window_from is None else max(window_from, resume)

    def save_counters(self) -> None:
        self.run.invoices_seen = self.invoices_seen
        self.run.changes = self.changes
        self.run.errors = self.errors
        self.run.portal_calls = self.portal_calls

    def checkpoint(self, session: Session) -> None:
        """Commit the invoice just recorded; now and then, extend the lease and show progress.

        Assigning to the expired run and state loads nothing: only the UPDATE is sent.
        """
        if time.monotonic() - self.renewed_at >= self.lease.total_seconds() / RENEWALS:
            self.state.running_until = utcnow() + self.lease
            self.save_counters()
            self.renewed_at = time.monotonic()
        session.commit()
        if self.stop is not None and self.stop.is_set():
            raise Interrupted
