"""Embedded default transport: writes each push to the log (and optionally an outbox file)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from notifications.message import PushMessage, SendResult, mask_token

logger = logging.getLogger(__name__)


class LogTransport:
    """Pretends every send succeeds; for development, demos and tests without Firebase."""

    name = "log"

    def __init__(self, outbox_path: str | os.PathLike[str] | None = None) -> None:
        self._outbox = Path(outbox_path) if outbox_path else None
        self._lock = threading.Lock()

    async def send(self, messages: Sequence[PushMessage]) -> list[SendResult]:
        """Log one readable line per message and return SENT with a generated id."""
        results = []
        for message in messages:
            message_id = f"log-{uuid.uuid4().hex}"
            logger.info(
                "push %s to %s device %s: %r / %r data=%s collapse=%s priority=%s ttl=%ss",
                message_id,
                message.platform,
                mask_token(message.token),
                message.title,
                message.body,
                json.dumps(message.data, ensure_ascii=False, sort_keys=True),
                message.collapse_key or "-",
                "high" if message.high_priority else "normal",
                message.ttl_seconds,
            )
            if self._outbox is not None:
                self._append(self._outbox, message_id, message)
            results.append(SendResult.sent(message_id))
        return results

    def _append(self, outbox: Path, message_id: str, message: PushMessage) -> None:
        """Append one JSON line; the token is masked and hashed so a test can still match it."""
        record = {
            "id": message_id,
            "at": datetime.now(UTC).isoformat(),
            "token": mask_token(message.token),
            "token_sha256": hashlib.sha256(message.token.encode()).hexdigest(),
            "platform": message.platform,
            "title": message.title,
            "body": message.body,
            "data": message.data,
            "collapse_key": message.collapse_key,
            "link": message.link,
            "high_priority": message.high_priority,
            "ttl_seconds": message.ttl_seconds,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock, outbox.open("a", encoding="utf-8") as stream:
            stream.write(line)

    def close(self) -> None:
        """Nothing to release; present so every transport can be closed the same way."""
