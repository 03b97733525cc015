"""Classify firebase-admin exceptions into SendResults (FCM HTTP v1 error model)."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from typing import Any

from firebase_admin import exceptions, messaging

from notifications.message import Outcome, PushMessage, SendResult, mask_token

logger = logging.getLogger(__name__)

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
TOKEN_FIELDS = frozenset({"message.token", "message.fid"})

# Worth another attempt later. The SDK has already retried 500/503 four times (backoff 0.5 s:
# five requests over ~7 s) before we see UnavailableError/InternalError; it never retries 429
# nor timeouts. UnknownError covers transport failures (connection reset, OAuth fetch errors).
_RETRYABLE = (
    exceptions.ResourceExhaustedError,  # includes messaging.QuotaExceededError
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.UnknownError,
)
# Without an FCM errorCode these blame our project setup, not the device or the message:
# OAuth token refused, FCM API disabled, unknown project. Retry once an operator fixed it.
_CONFIGURATION = (
    exceptions.UnauthenticatedError,
    exceptions.PermissionDeniedError,
    exceptions.NotFoundError,
)


def classify_exception(
    exc: BaseException | None, message: PushMessage, *, log: bool = True
) -> SendResult:
    """Turn one send failure into an outcome the caller can act on."""
    fcm_code, fields = _error_details(exc)
    code = fcm_code or str(getattr(exc, "code", None) or type(exc).__name__)
    detail = str(exc)
    retry_after = _retry_after(exc)
    if isinstance(exc, messaging.UnregisteredError):
        outcome = Outcome.INVALID_TOKEN
    elif isinstance(exc, messaging.SenderIdMismatchError | messaging.ThirdPartyAuthError):
        outcome = Outcome.AUTH_ERROR
    elif isinstance(exc, exceptions.InvalidArgumentError):
        outcome = Outcome.INVALID_TOKEN if _about_token(detail, fields) else Outcome.PERMANENT
    elif isinstance(exc, _RETRYABLE + _CONFIGURATION):
        outcome = Outcome.RETRY
    else:
        outcome = Outcome.PERMANENT
    if log:
        _log(outcome, code, message, detail, exc)
    return SendResult(outcome, error_code=code, retry_after=retry_after, detail=detail)


def _about_token(detail: str, fields: list[str]) -> bool:
    """INVALID_ARGUMENT blames the registration token (not our payload)."""
    # The field violation is the precise signal; FCM's message text is the one Parse Server
    # (PR #9173) and others match on: "The registration token is not a valid FCM registration
    # token".
    return bool(TOKEN_FIELDS.intersection(fields)) or "registration token" in detail.lower()


def _error_details(exc: BaseException | None) -> tuple[str | None, list[str]]:
    """The FcmError errorCode and the BadRequest field names from the HTTP error body."""
    body = _json_body(getattr(exc, "http_response", None))
    details = body.get("error", {}).get("details", []) if isinstance(body, dict) else []
    fcm_code = None
    fields: list[str] = []
    for item in details if isinstance(details, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("@type") == FCM_ERROR_TYPE:
            fcm_code = item.get("errorCode")
        elif item.get("@type") == BAD_REQUEST_TYPE:
            violations = item.get("fieldViolations", [])
            fields.extend(v.get("field", "") for v in violations if isinstance(v, dict))
    return fcm_code, fields


def _json_body(response: Any) -> Any:
    """Parse an httpx/requests response body, tolerating anything."""
    if response is None:
        return None
    try:
        return json.loads(response.content)
    except (ValueError, TypeError, AttributeError):
        return None


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), if any."""
    response = getattr(exc, "http_response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - time.time())


def _log(
    outcome: Outcome, code: str, message: PushMessage, detail: str, exc: BaseException | None
) -> None:
    """AUTH_ERROR and PERMANENT need a human; the rest is routine."""
    token = mask_token(message.token)
    if outcome is Outcome.AUTH_ERROR:
        logger.error(
            "FCM %s for %s device %s: sender or APNs/web-push credentials are wrong; "
            "disable this device/platform and alert an operator: %s",
            code,
            message.platform,
            token,
            detail,
        )
    elif outcome is Outcome.PERMANENT or isinstance(exc, _CONFIGURATION):
        logger.error("FCM %s for %s device %s: %s", code, message.platform, token, detail)
    else:
        logger.info("FCM %s (%s) for %s device %s", code, outcome.name, message.platform, token)
