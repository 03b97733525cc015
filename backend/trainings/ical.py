"""iCalendar for sessions: the public feed and downloads (RFC 5545), and the invitations and
cancellations e-mailed to one participant (iTIP, RFC 5546). One UID per part everywhere.

RFC 5546 §3.2 asks of every VEVENT: ORGANIZER always; REQUEST one ATTENDEE at least; CANCEL a
SEQUENCE above the one the participant holds, and STATUS:CANCELLED only when the whole event is
cancelled (a participant removed from a session gets a CANCEL naming them, without STATUS).
A message's DTSTAMP is when it was made; a published calendar's is the session's last change,
so its downloads stay byte-identical (ETags).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress
from icalendar.enums import STATUS
from icalendar.prop.conference import Conference

from backend.trainings.models import Registration, SessionState, TrainingPart, TrainingSession
from backend.trainings.present import FORMAT_LABELS, paris
from backend.trainings.settings import TrainingSettings

PRODID = "-//Relais//Formations//FR"
MEDIA_TYPE = "text/calendar"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"


def uid(training: TrainingSession, part: TrainingPart, settings: TrainingSettings) -> str:
    """Stable across rebuilds, the feed, downloads and e-mails (one per part)."""
    return f"relais-formation-{training.id}-{part.position}@{settings.host}"


def organizer(settings: TrainingSettings) -> vCalAddress:
    """The sender of the e-mails (MAIL_FROM), who answers participants' questions."""
    name, address = parseaddr(settings.mail_from)
    return vCalAddress.new(address, cn=name or "Relais")


def attendee(reg: Registration) -> vCalAddress:
    """The participant: already accepted (they confirmed by e-mail), no reply expected."""
    return vCalAddress.new(
        reg.email,
        cn=reg.full_name,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="ACCEPTED",
        rsvp=False,
    )


def _event(
    training: TrainingSession,
    part: TrainingPart,
    settings: TrainingSettings,
    stamp: dt.datetime,
    status: str | None,
) -> Event:
    count = len(training.parts)
    summary = training.title if count == 1 else f"{training.title} ({part.position}/{count})"
    page = settings.url(f"/formations/session/?id={training.id}")
    event = Event.new(
        uid=uid(training, part, settings),
        start=paris(part.starts_at),
        end=paris(part.ends_at),
        stamp=stamp.astimezone(dt.UTC),
        summary=summary,
        description=f"{FORMAT_LABELS[training.format]}\n{page}",
        sequence=training.sequence,
        url=page,
        organizer=organizer(settings),
    )
    if status:
        event.add("status", STATUS(status))
    event.add("last-modified", training.updated_at.astimezone(dt.UTC))
    return event


def _visio(event: Event, training: TrainingSession) -> None:
    """The link of the virtual classroom, for confirmed participants only."""
    if training.visio_url:
        event.add("location", training.visio_url)
        event.conferences = [
            Conference(uri=training.visio_url, feature=["AUDIO", "VIDEO"], label="Rejoindre")
        ]


def _calendar(
    method: str,
    settings: TrainingSettings,
    which: str,
    events: list[Event],
    name: str | None = None,
) -> bytes:
    # Calendar.new would pick a random UID: a fixed one keeps downloads identical.
    cal = Calendar.new(
        prodid=PRODID, method=method, name=name, uid=f"relais-formation{which}@{settings.host}"
    )
    if name:
        cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", dt.timedelta(hours=1))
    for event in events:
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def calendar(
    trainings: Iterable[TrainingSession], settings: TrainingSettings, *, name: str | None = None
) -> bytes:
    """A published VCALENDAR (one session or the feed), Paris times with their VTIMEZONE."""
    trainings = list(trainings)
    events = []
    for training in trainings:
        status = "CANCELLED" if training.state == SessionState.CANCELLED else "CONFIRMED"
        events += [
            _event(training, p, settings, training.updated_at, status) for p in training.parts
        ]
    which = "s" if name or not trainings else f"-{trainings[0].id}"
    return _calendar(PUBLISH, settings, which, events, name)


def message(
    training: TrainingSession,
    settings: TrainingSettings,
    reg: Registration,
    *,
    method: str,
    stamp: dt.datetime,
) -> bytes:
    """The invitation (REQUEST) or cancellation (CANCEL) e-mailed to one participant."""
    cancelled = training.state == SessionState.CANCELLED
    status = {REQUEST: "CONFIRMED", CANCEL: "CANCELLED" if cancelled else None}[method]
    events = []
    for part in training.parts:
        event = _event(training, part, settings, stamp, status)
        event.add("attendee", attendee(reg))
        if method == REQUEST:
            _visio(event, training)
        events.append(event)
    return _calendar(method, settings, f"-{training.id}", events)
