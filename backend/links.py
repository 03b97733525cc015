"""Double opt-in, shared by a training sign-up and the newsletter: signed, expiring links for
e-mails, the signed timestamp of a displayed form, and the settings they read.

Every purpose (a token's salt) is listed here, so that a link made for one journey is never
read as another's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any, Self
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from backend.config import Config

CONFIRM = "registration-confirm"
CANCEL = "registration-cancel"
NEWSLETTER_CONFIRM = "newsletter-confirm"
NEWSLETTER_UNSUBSCRIBE = "newsletter-unsubscribe"
FORM = "form-timestamp"
# A cancellation or unsubscribe link stays valid as long as anyone may keep the e-mail.
LONG_LIVED = dt.timedelta(days=400)


@dataclasses.dataclass(frozen=True)
class LinkSettings:
    """What the links, and the e-mails that carry them, need from the app's `Config`."""

    secret_key: str
    public_base_url: str = "http://127.0.0.1:8000"
    mail_from: str = "Relais <formations@relais.example>"
    confirm_delay: dt.timedelta = dt.timedelta(hours=24)
    signup_min_seconds: float = 3.0

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return cls(
            secret_key=config.secret_key,
            public_base_url=config.public_base_url.rstrip("/"),
            mail_from=config.mail_from,
            confirm_delay=dt.timedelta(hours=config.registration_confirm_hours),
            signup_min_seconds=config.signup_min_seconds,
        )

    def url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path


def current_link_settings() -> LinkSettings:
    """Settings of the current app."""
    from flask import current_app

    return LinkSettings.from_config(current_app.extensions["relais_config"])


class InvalidLink(Exception):
    """The token is forged, damaged or expired; `expired` tells which."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class LinkError(Exception):
    """A confirmation, cancellation or unsubscribe link that cannot be used; French message."""


def make_token(settings: LinkSettings, purpose: str, subject_id: int, version: int = 0) -> str:
    """`version` lets a re-used row (a new sign-up after a cancellation) void older links."""
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=purpose)
    return serializer.dumps([subject_id, version])


def read_token(
    settings: LinkSettings, purpose: str, token: str, max_age: dt.timedelta
) -> tuple[int, int]:
    """The (id, version) a token was made for, or InvalidLink."""
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=purpose)
    try:
        value = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise InvalidLink(expired=True) from exc
    except BadSignature as exc:
        raise InvalidLink() from exc
    if not (isinstance(value, list) and len(value) == 2):
        raise InvalidLink()
    if not all(type(item) is int for item in value):
        raise InvalidLink()
    return value[0], value[1]


def page_url(settings: LinkSettings, path: str, token: str) -> str:
    """A site page that reads the token and calls the API with a POST (never on GET)."""
    return settings.url(path) + "?" + urlencode({"jeton": token})


def form_token(settings: LinkSettings, issued_at: dt.datetime) -> str:
    return URLSafeSerializer(settings.secret_key, salt=FORM).dumps(int(issued_at.timestamp()))


def form_age(settings: LinkSettings, token: str, now: dt.datetime) -> float | None:
    """Seconds since the form was displayed, or None for a forged token."""
    try:
        issued = URLSafeSerializer(settings.secret_key, salt=FORM).loads(token)
    except BadSignature:
        return None
    if not isinstance(issued, int) or isinstance(issued, bool):
        return None
    return now.timestamp() - issued


def looks_like_a_robot(settings: LinkSettings, body: Mapping[str, Any], now: dt.datetime) -> bool:
    """Honeypot filled or form sent too fast: accept silently, send nothing."""
    age = form_age(settings, body["form_token"], now)
    return bool(body.get("website")) or age is None or age < settings.signup_min_seconds
