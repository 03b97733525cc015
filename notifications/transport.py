"""The interface every push transport implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from notifications.message import PushMessage, SendResult


@runtime_checkable
class PushTransport(Protocol):
    """Sends push messages and classifies each result; never raises for a per-message error."""

    name: str

    async def send(self, messages: Sequence[PushMessage]) -> list[SendResult]:
        """Send the messages; return one result per message, in the same order."""
        ...
