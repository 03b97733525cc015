"""Value objects shared by every push transport: what to send and what happened."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

Platform = Literal["android", "ios", "web"]
PLATFORMS: frozenset[str] = frozenset({"android", "ios", "web"})

# FCM keeps a message at most 4 weeks; APNs collapse ids are limited to 64 bytes.
MAX_TTL_SECONDS = 28 * 24 * 3600
MAX_COLLAPSE_KEY_BYTES = 64


class Outcome(enum.Enum):
    """What the caller should do with the device and the message after a send."""

    SENT = "sent"
    RETRY = "retry"  # 429, 503, 500, timeouts, transport errors: back off and try again
    INVALID_TOKEN = "invalid_token"  # deactivate the device, never retry
    AUTH_ERROR = "auth_error"  # sender/APNs/web-push credentials: disable, alert an operator
    PERMANENT = "permanent"  # the message itself is wrong: do not retry, fix the code


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One notification for one device registration token."""

    token: str
    platform: Platform
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)
    collapse_key: str = ""
    high_priority: bool = True
    ttl_seconds: int = 24 * 3600
    # Where opening the notification leads in the web app, as a path of its origin
    # ("/app/#/factures/42"); web pushes only (phones open their own screens from `data`).
    link: str = ""

    def __post_init__(self) -> None:
        """Reject messages that no transport could deliver."""
        if not self.token:
            raise ValueError("token must not be empty")
        if self.platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {sorted(PLATFORMS)}, not {self.platform!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in self.data.items()):
            raise ValueError("data keys and values must be strings")
        if len(self.collapse_key.encode()) > MAX_COLLAPSE_KEY_BYTES:
            raise ValueError(f"collapse_key must be at most {MAX_COLLAPSE_KEY_BYTES} bytes")
        if self.link and not self.link.startswith("/"):
            raise ValueError("link must be a path of the web app's origin, starting with /")
        if not 0 <= self.ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"ttl_seconds must be between 0 and {MAX_TTL_SECONDS}")


@dataclass(frozen=True, slots=True)
class SendResult:
    """The classified result of sending one message."""

    outcome: Outcome
    message_id: str | None = None
    error_code: str | None = None
    retry_after: float | None = None  # seconds, from the provider's Retry-After header
    detail: str = ""

    @property
    def ok(self) -> bool:
        """True when the provider accepted the message."""
        return self.outcome is Outcome.SENT

    @classmethod
    def sent(cls, message_id: str) -> SendResult:
        """A successful send with the provider's message id."""
        return cls(Outcome.SENT, message_id=message_id)


def mask_token(token: str) -> str:
    """Shorten a registration token for logs: enough to correlate, too little to reuse."""
    if len(token) <= 12:
        return "…" + token[-2:]
    return f"{token[:6]}…{token[-4:]}"
