"""Shared helpers for the FCM tests."""

from __future__ import annotations

import asyncio

from notifications import PushMessage, PushTransport, SendResult


def push(token: str, **fields: object) -> PushMessage:
    """A message with sensible defaults for one token."""
    defaults: dict[str, object] = {"platform": "android", "title": "Facture", "body": "Payée"}
    return PushMessage(token=token, **{**defaults, **fields})  # type: ignore[arg-type]


def send(transport: PushTransport, *messages: PushMessage) -> list[SendResult]:
    """Send from a fresh event loop, as a sync caller would."""
    return asyncio.run(transport.send(messages))
