"""iCalendar (RFC 5545) for one session, the feed and e-mail invitations: one UID everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event
from icalendar.enums import STATUS
from icalendar.prop.conference import Conference

from backend.trainings.models import SessionState, TrainingPart, TrainingSession
from backend.trainings.present import FORMAT_LABELS, paris
from backend.trainings.settings import TrainingSettings

PRODID = "-//Relais//Formations//FR"
MEDIA_TYPE = "text/calendar"


def uid(training: TrainingSession, part: TrainingPart, settings: TrainingSettings) -> str:
    """Stable across rebuilds, the feed, downloads and e-mails (one per part)."""
    return f"relais-formation-{training.id}-{part.position}@{settings.host}"


def _event(
    training: TrainingSession,
    part: TrainingPart,
    settings: TrainingSettings,
    *,
    private: bool,
    cancelled: bool,
) -> Event:
    count = len(training.parts)
    summary = training.title if count == 1 else f"{training.title} ({part.position}/{count})"
    page = settings.url(f"/formations/session/?id={training.id}")
    description = f"{FORMAT_LABELS[training.format]}\n{page}"
    event = Event.new(
        uid=uid(training, part, settings),
        start=paris(part.starts_at),
        end=paris(part.ends_at),
        stamp=training.updated_at.astimezone(dt.UTC),
        summary=summary,
        description=description,
        sequence=training.sequence,
        url=page,
        status=STATUS("CANCELLED" if cancelled else "CONFIRMED"),
    )
    event.add("last-modified", training.updated_at.astimezone(dt.UTC))
    if private and training.visio_url and not cancelled:
        event.add("location", training.visio_url)
        event.conferences = [
            Conference(uri=training.visio_url, feature=["AUDIO", "VIDEO"], label="Rejoindre")
        ]
    return event


def calendar(
    trainings: Iterable[TrainingSession],
    settings: TrainingSettings,
    *,
    method: str = "PUBLISH",
    private: bool = False,
    name: str | None = None,
) -> bytes:
    """A VCALENDAR with Europe/Paris times and their VTIMEZONE; `private` adds the visio link."""
    trainings = list(trainings)
    # Calendar.new would pick a random UID: one per calendar keeps downloads identical.
    which = "s" if name else f"-{trainings[0].id}" if trainings else "s"
    cal = Calendar.new(
        prodid=PRODID, method=method, name=name, uid=f"relais-formation{which}@{settings.host}"
    )
    if name:
        cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", dt.timedelta(hours=1))
    for training in trainings:
        cancelled = method == "CANCEL" or training.state == SessionState.CANCELLED
        for part in training.parts:
            event = _event(training, part, settings, private=private, cancelled=cancelled)
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
