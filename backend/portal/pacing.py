"""What paces the client: a gate before each call (the fleet's shared quota), and a cursor
that splits a long search walk into turns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class CallGate(Protocol):
    """Asked before each portal call, told how it went; may wait, or refuse with a PortalError."""

    def before_call(self) -> None: ...

    def after_call(self, status: int | None, retry_after: float | None) -> None:
        """`status` None: no answer at all (timeout, connection refused)."""


class OpenGate:
    """No quota: every call goes at once."""

    def before_call(self) -> None:
        return None

    def after_call(self, status: int | None, retry_after: float | None) -> None:
        return None


@dataclass
class PageCursor:
    """Where a search walk spread over several turns stands: the page to read next and the
    result count the walk had (a different count at the next turn means the pages moved)."""

    page: int = 1
    total: int | None = None
    done: bool = False

    def read(self, number: int, total: int | None, last: bool) -> None:
        self.page, self.total, self.done = number + 1, total, last

    def restart(self) -> None:
        self.page, self.total, self.done = 1, None, False
