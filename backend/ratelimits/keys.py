"""Who a limit counts: the client's address, and the e-mail address a form names.

Keys hold no personal data and have a bounded size: an e-mail address is normalised, a
client's IP address taken as is, and both are hashed with the application's secret key (a
plain hash could be reversed by trying the 4 billion IPv4 addresses, or a list of known
e-mail addresses); a 5 MB "e-mail" once made a 5 MB key kept for an hour. Anything that is
not an e-mail address shares one bucket (such a request fails validation anyway).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, request

from backend.mail.addresses import normalize_email

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path


def client_address() -> str:
    """The client's address; behind proxies, TRUSTED_PROXIES makes it the forwarded one."""
    return request.remote_addr or "unknown"


def address_key() -> str:
    """The key counting the client's address."""
    return f"ip:{_keyed(client_address())}"


def _keyed(value: str) -> str:
    """A hash of `value` keyed with the application's secret: not reversible by trying every
    IPv4 address or a list of known e-mail addresses."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, value.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def email_key(prefix: str) -> Callable[[], str]:
    """A key per e-mail address of the JSON body's `email` field."""

    def key() -> str:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not 3 <= len(email) <= MAX_EMAIL_LENGTH:
            return f"{prefix}:?"
        return f"{prefix}:{_keyed(normalize_email(email))}"

    key.__name__ = f"{prefix}_email_key"
    return key
