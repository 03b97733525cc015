"""A walk longer than one turn (SYNC_PAGES_PER_TURN): where it resumes, kept on the state.

A structure with 100,000 invoices is read a few pages at a time, each turn going back to the
end of the queue, so it cannot hold a worker for an hour while small structures wait. The
window's end stays pinned until the walk is done, and the watermark only moves then."""

from __future__ import annotations

import datetime as dt

from backend.portal.pacing import PageCursor
from backend.sync.models import SyncState
from backend.sync.progress import Progress


def cursor(state: SyncState) -> PageCursor:
    """Where the structure's walk resumes (page 1 of a new window when none is under way)."""
    if state.resume_window_to is None:
        return PageCursor()
    return PageCursor(page=state.resume_page or 1, total=state.resume_total)


def carry_over(
    state: SyncState,
    progress: Progress,
    window_from: dt.datetime | None,
    window_to: dt.datetime,
) -> None:
    """Keep the walk's place for its next turn, and the earliest invoice not stored so far.

    An unreadable invoice of unknown time keeps the whole window: the walk starts again."""
    if any(at is None for at in progress.held):
        finish(state)
        return
    state.resume_window_to = window_to
    state.resume_page, state.resume_total = progress.cursor.page, progress.cursor.total
    if progress.held:
        state.resume_floor = progress.watermark(window_from, window_to)


def finish(state: SyncState) -> None:
    """The walk is done (or starts again): the next turn opens a new window."""
    state.resume_window_to = state.resume_page = state.resume_total = None
    state.resume_floor = None
