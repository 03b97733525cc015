"""The settings the trainings domain needs, lifted once from the app's `Config`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Self
from urllib.parse import urlsplit

from backend.config import Config
from backend.links import LinkSettings


@dataclasses.dataclass(frozen=True)
class TrainingSettings(LinkSettings):
    """The sign-up links' settings, and the seats', reminders' and retention's."""

    waitlist_closes: dt.timedelta = dt.timedelta(hours=24)
    reminder_hours: tuple[float, ...] = (24.0, 1.0)
    retention: dt.timedelta = dt.timedelta(days=90)

    @classmethod
    def from_config(cls, config: Config) -> Self:
        return dataclasses.replace(
            super().from_config(config),
            waitlist_closes=dt.timedelta(hours=config.waitlist_closes_hours),
            reminder_hours=parse_hours(config.reminder_hours),
            retention=dt.timedelta(days=config.retention_days),
        )

    @property
    def host(self) -> str:
        return urlsplit(self.public_base_url).hostname or "relais.example"


def parse_hours(value: str) -> tuple[float, ...]:
    """ "24,1" → (24.0, 1.0), largest first; blanks ignored."""
    hours = {float(item) for item in value.split(",") if item.strip()}
    return tuple(sorted(hours, reverse=True))


def current_settings() -> TrainingSettings:
    """Settings of the current app."""
    from flask import current_app

    return TrainingSettings.from_config(current_app.extensions["relais_config"])
