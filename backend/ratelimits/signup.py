"""The limits of the public sign-up forms (a training, the newsletter): one budget, counted
per client and per e-mail address, across both forms."""

from __future__ import annotations

from flask import current_app

from backend.ratelimits.keys import email_key


def signup_limit() -> str:
    """SIGNUP_RATE_LIMIT, read at each request."""
    return str(current_app.extensions["relais_config"].signup_rate_limit)


# Rate-limit key of the address a form would send mail to.
signup_email_key = email_key("signup")
