"""FCM HTTP v1 error bodies and request validation for the loopback server."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
SLOW_PREFIX = "slow-"  # answered after FcmServer.slow_seconds (timeout tests)
MAX_PAYLOAD_BYTES = 4096
MAX_TTL_SECONDS = 2_419_200
RESERVED_DATA_KEYS = frozenset({"from", "message_type", "notification"})
RESERVED_DATA_PREFIXES = ("google.", "gcm.")
TTL_RE = re.compile(r"^\d+(\.\d{1,9})?s$")


@dataclass(frozen=True)
class FcmError(Exception):
    """One error response: HTTP status, canonical status, FCM errorCode, message, field."""

    http_status: int
    status: str
    fcm_code: str | None
    text: str
    prefix: str = ""
    field: str | None = None


def error_body(err: FcmError) -> dict[str, Any]:
    """The Google API error envelope FCM returns, with FcmError (and BadRequest) details."""
    details: list[dict[str, Any]] = []
    if err.fcm_code:
        details.append({"@type": FCM_ERROR_TYPE, "errorCode": err.fcm_code})
    if err.field:
        violation = {"field": err.field, "description": err.text}
        details.append({"@type": BAD_REQUEST_TYPE, "fieldViolations": [violation]})
    body: dict[str, Any] = {"code": err.http_status, "message": err.text, "status": err.status}
    if details:
        body["details"] = details
    return {"error": body}


# Keyed by the name FcmServer.fail_next() accepts; `prefix` programs it per registration token.
TOKEN_ERRORS: dict[str, FcmError] = {
    "UNREGISTERED": FcmError(
        404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", "unregistered-"
    ),
    # Two shapes of "bad token", each carrying only one of the signals we classify on:
    # a BadRequest field violation on message.token with a generic text...
    "INVALID_ARGUMENT": FcmError(
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "Request contains an invalid argument.",
        "invalid-",
        "message.token",
    ),
    # ...and the body FCM returns today: FcmError only, the token named in the text
    # (quoted in firebase/firebase-admin-java#1064, healthjoy/async-firebase#15).
    "INVALID_REGISTRATION": FcmError(
        400,
        "INVALID_ARGUMENT",
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
        "malformed-",
    ),
    "SENDER_ID_MISMATCH": FcmError(
        403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch", "mismatch-"
    ),
    "QUOTA_EXCEEDED": FcmError(
        429,
        "RESOURCE_EXHAUSTED",
        "QUOTA_EXCEEDED",
        "Quota exceeded for quota metric 'Messages sent' and limit 'Messages per minute'.",
        "quota-",
    ),
    "UNAVAILABLE": FcmError(
        503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.", "unavailable-"
    ),
    "INTERNAL": FcmError(500, "INTERNAL", "INTERNAL", "Internal error encountered.", "internal-"),
    "THIRD_PARTY_AUTH_ERROR": FcmError(
        401,
        "UNAUTHENTICATED",
        "THIRD_PARTY_AUTH_ERROR",
        "Auth error from APNS or Web Push Service",
        "thirdparty-",
    ),
}


def _invalid(text: str, field: str) -> FcmError:
    """INVALID_ARGUMENT about the message itself: BadRequest details only, as FCM answers."""
    return FcmError(400, "INVALID_ARGUMENT", None, text, field=field)


def validate_message(message: dict[str, Any]) -> None:
    """The subset of FCM's server-side checks our transport can trip over."""
    targets = [k for k in ("token", "topic", "condition", "fid") if message.get(k)]
    if len(targets) != 1:
        raise _invalid("Exactly one of token, topic, condition or fid is required", "message")
    data = message.get("data") or {}
    if not all(isinstance(v, str) for v in data.values()):
        raise _invalid("Invalid value at 'message.data': values must be strings", "message.data")
    for key in data:
        if key in RESERVED_DATA_KEYS or key.startswith(RESERVED_DATA_PREFIXES):
            raise _invalid(f"Invalid data payload key: {key}", "message.data")
    payload = json.dumps({"data": data, "notification": message.get("notification")})
    if len(payload.encode()) > MAX_PAYLOAD_BYTES:
        raise _invalid("Message is too big", "message")
    android = message.get("android") or {}
    if str(android.get("priority", "normal")).lower() not in ("normal", "high"):
        raise _invalid("Invalid value at 'message.android.priority'", "message.android.priority")
    ttl = android.get("ttl")
    if ttl is not None and (not TTL_RE.match(ttl) or float(ttl[:-1]) > MAX_TTL_SECONDS):
        raise _invalid("Invalid value at 'message.android.ttl'", "message.android.ttl")
    for section in ("apns", "webpush"):
        headers = (message.get(section) or {}).get("headers") or {}
        if not all(isinstance(v, str) for v in headers.values()):
            raise _invalid(f"Invalid value at 'message.{section}.headers'", f"message.{section}")
    link = ((message.get("webpush") or {}).get("fcm_options") or {}).get("link")
    if link is not None and not str(link).startswith("https://"):
        raise _invalid("Invalid value at 'message.webpush.fcm_options.link': HTTPS required",
                       "message.webpush.fcm_options.link")  # fmt: skip
