"""The settings the trainings domain needs, lifted once from the app's `Config`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from backend.config import Config


@dataclass(frozen=True)
class TrainingSettings:
    secret_key: str
    public_base_url: str = "http://127.0.0.1:8000"
    mail_from: str = "Relais <formations@relais.example>"
    confirm_delay: dt.timedelta = dt.timedelta(hours=24)
    waitlist_closes: dt.timedelta = dt.timedelta(hours=24)
    reminder_hours: tuple[float, ...] = (24.0, 1.0)
    retention: dt.timedelta = dt.timedelta(days=90)
    signup_min_seconds: float = 3.0

    @classmethod
    def from_config(cls, config: Config) -> TrainingSettings:
        return cls(
            secret_key=config.secret_key,
            public_base_url=config.public_base_url.rstrip("/"),
            mail_from=config.mail_from,
            confirm_delay=dt.timedelta(hours=config.registration_confirm_hours),
            waitlist_closes=dt.timedelta(hours=config.waitlist_closes_hours),
            reminder_hours=parse_hours(config.reminder_hours),
            retention=dt.timedelta(days=config.retention_days),
            signup_min_seconds=config.signup_min_seconds,
        )

    @property
    def host(self) -> str:
        return urlsplit(self.public_base_url).hostname or "relais.example"

    def url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path


def parse_hours(value: str) -> tuple[float, ...]:
    """ "24,1" → (24.0, 1.0), largest first; blanks ignored."""
    hours = {float(item) for item in value.split(",") if item.strip()}
    return tuple(sorted(hours, reverse=True))


def current_settings() -> TrainingSettings:
    """Settings of the current app."""
    from flask import current_app

    return TrainingSettings.from_config(current_app.extensions["relais_config"])
