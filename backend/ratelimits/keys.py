"""Who a limit counts: the client's address, and the e-mail address a form names.

Keys hold no personal data and have a bounded size: an e-mail address is normalised and
hashed (a 5 MB "e-mail" once made a 5 MB key kept for an hour), anything that is not an
address shares one bucket (such a request fails validation anyway). A client's IP address is
hashed with the application's secret key: its plain hash could be reversed by trying the
4 billion IPv4 addresses.
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
    """The key counting the client's address: keyed with the application's secret."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    digest = hmac.new(secret, client_address().encode("utf-8", "replace"), hashlib.sha256)
    return f"ip:{digest.hexdigest()[:32]}"


def email_key(prefix: str) -> Callable[[], str]:
    """A key per e-mail address of the JSON body's `email` field."""

    def key() -> str:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not 3 <= len(email) <= MAX_EMAIL_LENGTH:
            return f"{prefix}:?"
        normalised = normalize_email(email).encode("utf-8", "replace")
        return f"{prefix}:{hashlib.sha256(normalised).hexdigest()[:32]}"

    key.__name__ = f"{prefix}_email_key"
    return key
