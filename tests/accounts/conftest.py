"""Fixtures of the account tests: a loopback SMTP server, a clock the test moves, and the
tokens of the links the e-mails carry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from backend.accounts.settings import CLOCK, CONFIRM_PAGE, EMAIL_PAGE, PASSWORD_PAGE
from backend.db import utcnow
from tests.mail.smtp import inbox, smtp_server, text_part

__all__ = ["inbox", "smtp_server"]

# Strong enough for zxcvbn (score 4), and unrelated to the people of the tests.
STRONG = "ornithorynque cerfeuil parapluie"
OTHER_STRONG = "gouttière vermeille sablier 7"


class Clock:
    """The application's time while the test holds it."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Iterator[Clock]:
    held = Clock(utcnow())
    app.extensions[CLOCK] = held
    yield held
    app.extensions.pop(CLOCK, None)


def token_in(message: EmailMessage, page: str) -> str:
    """The `jeton` of the first link to a site page."""
    for url in re.findall(r"https?://\S+", text_part(message)):
        if page in url and "jeton=" in url:
            return parse_qs(urlsplit(url).query)["jeton"][0]
    raise AssertionError(f"no link to {page} in {message['Subject']}")


def confirm_token(message: EmailMessage) -> str:
    return token_in(message, CONFIRM_PAGE)


def reset_token(message: EmailMessage) -> str:
    return token_in(message, PASSWORD_PAGE)


def email_token(message: EmailMessage) -> str:
    return token_in(message, EMAIL_PAGE)
