"""Push notifications for Relais: a small transport interface and its implementations.

Callers (the backend's push relay) build `PushMessage`s and hand them to a `PushTransport`;
each transport returns one `SendResult` per message, in order, and never raises for a
per-message failure. `SendResult.outcome` says what to do next:

- SENT: done; `message_id` is the provider's id.
- RETRY: reschedule with backoff, honouring `retry_after` (seconds) when present. Covers
  QUOTA_EXCEEDED (429), UNAVAILABLE (503), INTERNAL (500), timeouts and transport errors.
  firebase-admin has already retried 500/503 itself (5 attempts over ~7 s) before RETRY.
- INVALID_TOKEN: UNREGISTERED, or INVALID_ARGUMENT about the token: deactivate the device.
- AUTH_ERROR: SENDER_ID_MISMATCH or THIRD_PARTY_AUTH_ERROR: disable the device/platform and
  alert an operator (logged at ERROR level).
- PERMANENT: the message itself was rejected (INVALID_ARGUMENT about the payload): never
  retry, fix the code.

Transports, chosen by configuration through `make_transport(kind, **options)`:

- "log" (embedded default, `LogTransport(outbox_path=None)`): one log line per message with
  the token masked, optionally a JSON line per message appended to `outbox_path`.
- "firebase" (`FirebaseTransport(project_id=None, credentials_path=None, *, fcm_base_url=None,
  timeout_seconds=30.0, app_name=None, web_base_url="")`): the real firebase-admin SDK,
  `send_each_async` in chunks of 500, one message builder per platform (Android, APNs, web
  push: `build_message`; a web push links to `web_base_url` + `PushMessage.link` when https),
  on its own named firebase_admin App and its own event-loop thread, so `send()` may be
  awaited from any loop (e.g. `asyncio.run` in each scheduler tick).
  Call `close()` (or `await aclose()`) at shutdown.

Environment variables the backend maps onto these options:

| Variable | Meaning |
|---|---|
| `PUSH_TRANSPORT` | `log` (default) or `firebase` |
| `GOOGLE_APPLICATION_CREDENTIALS` | service-account JSON file (firebase) |
| `FIREBASE_PROJECT_ID` | project id; defaults to the one in the service-account file |
| `FCM_BASE_URL` | tests and benchmarks only: a loopback FCM HTTP v1 server |

Dependencies point one way: `backend` imports `notifications`, never the reverse.
"""

from __future__ import annotations

from typing import Any

from notifications.log import LogTransport
from notifications.message import Outcome, PushMessage, SendResult, mask_token
from notifications.transport import PushTransport

__all__ = [
    "LogTransport",
    "Outcome",
    "PushMessage",
    "PushTransport",
    "SendResult",
    "make_transport",
    "mask_token",
]

TRANSPORT_KINDS = ("log", "firebase")


def make_transport(kind: str = "log", **options: Any) -> PushTransport:
    """Build the transport named by configuration ("log" or "firebase")."""
    if kind == "log":
        return LogTransport(**options)
    if kind == "firebase":
        # Imported lazily: the embedded default must not pay for loading firebase-admin.
        from notifications.firebase import FirebaseTransport

        return FirebaseTransport(**options)
    raise ValueError(f"unknown push transport {kind!r}; expected one of {TRANSPORT_KINDS}")
