"""Signed, expiring links for e-mails, and the signed timestamp of a displayed form."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from backend.trainings.settings import TrainingSettings

CONFIRM = "registration-confirm"
CANCEL = "registration-cancel"
NEWSLETTER_CONFIRM = "newsletter-confirm"
NEWSLETTER_UNSUBSCRIBE = "newsletter-unsubscribe"
FORM = "form-timestamp"
# A cancellation or unsubscribe link stays valid as long as anyone may keep the e-mail.
LONG_LIVED = dt.timedelta(days=400)


class InvalidLink(Exception):
    """The token is forged, damaged or expired; `expired` tells which."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def make_token(settings: TrainingSettings, purpose: str, subject_id: int, version: int = 0) -> str:
    """`version` lets a re-used row (a new sign-up after a cancellation) void older links."""
    serializer = URLSafeTimedSerializer(settings.secret_key, salt=purpose)
    return serializer.dumps([subject_id, version])


def read_token(
    settings: TrainingSettings, purpose: str, token: str, max_age: dt.timedelta
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


def page_url(settings: TrainingSettings, path: str, token: str) -> str:
    """A site page that reads the token and calls the API with a POST (never on GET)."""
    return settings.url(path) + "?" + urlencode({"jeton": token})


def form_token(settings: TrainingSettings, issued_at: dt.datetime) -> str:
    return URLSafeSerializer(settings.secret_key, salt=FORM).dumps(int(issued_at.timestamp()))


def form_age(settings: TrainingSettings, token: str, now: dt.datetime) -> float | None:
    """Seconds since the form was displayed, or None for a forged token."""
    try:
        issued = URLSafeSerializer(settings.secret_key, salt=FORM).loads(token)
    except BadSignature:
        return None
    if not isinstance(issued, int) or isinstance(issued, bool):
        return None
    return now.timestamp() - issued
