"""What account management needs from the app's `Config`, and the time it goes by."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Self

from flask import current_app

from backend.config import Config
from backend.db import utcnow
from backend.links import LinkSettings

# Pages of the site that e-mailed links open (docs_site/docs/compte/): each reads `?jeton=`
# and calls the API with a POST, never on GET (mail scanners open links), and the phone app
# may claim these addresses as app links.
CONFIRM_PAGE = "/compte/confirmer/"
PASSWORD_PAGE = "/compte/mot-de-passe/"
EMAIL_PAGE = "/compte/adresse/"
# Extension key of a clock the tests may set (a callable returning an aware datetime).
CLOCK = "relais_clock"


@dataclasses.dataclass(frozen=True)
class AccountSettings(LinkSettings):
    """Links' lifetimes and the password policy."""

    sign_up_lifetime: dt.timedelta = dt.timedelta(hours=48)
    reset_lifetime: dt.timedelta = dt.timedelta(hours=1)
    email_change_lifetime: dt.timedelta = dt.timedelta(hours=24)
    password_min_length: int = 10
    password_min_score: int = 3

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return dataclasses.replace(
            super().from_config(config),
            sign_up_lifetime=dt.timedelta(hours=config.account_confirm_hours),
            reset_lifetime=dt.timedelta(minutes=config.password_reset_minutes),
            email_change_lifetime=dt.timedelta(hours=config.email_change_hours),
            password_min_length=config.password_min_length,
            password_min_score=config.password_min_score,
        )


def current_settings() -> AccountSettings:
    return AccountSettings.from_config(current_app.extensions["relais_config"])


def current_time() -> dt.datetime:
    """Now, unless the application was handed a clock (tests move time forward with it)."""
    clock = current_app.extensions.get(CLOCK)
    return clock() if clock is not None else utcnow()
