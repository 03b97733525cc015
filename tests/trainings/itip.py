"""Check .ics files as strictly as calendar apps do, with a parser that is not ours.

No maintained validator of RFC 5546 (iTIP) semantics exists on PyPI, so this helper pairs:
- `ical` (the library behind Home Assistant's calendars), a second parser that checks the
  RFC 5545 grammar and every value's type strictly (no compatibility mode);
- the rules of RFC 5546 §3.2 that decide whether a calendar app applies a message: which
  properties each METHOD requires or forbids in a VEVENT, and how many of each; plus the
  RFC 5545 rules `ical` lets through (an event ends after it starts, addresses are mailto:).
"""

from __future__ import annotations

from dataclasses import dataclass

from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar, Component

ONE, OPTIONAL, MANY, ONE_OR_MORE, NONE = "1", "0..1", "0+", "1+", "0"
# RFC 5546 §3.2.1 (PUBLISH), §3.2.2 (REQUEST) and §3.2.5 (CANCEL), VEVENT tables.
VEVENT_RULES: dict[str, dict[str, str]] = {
    "PUBLISH": {
        "DTSTAMP": ONE, "DTSTART": ONE, "ORGANIZER": ONE, "SUMMARY": ONE, "UID": ONE,
        "SEQUENCE": OPTIONAL, "ATTENDEE": NONE, "DTEND": OPTIONAL, "STATUS": OPTIONAL,
        "LOCATION": OPTIONAL, "URL": OPTIONAL, "DESCRIPTION": OPTIONAL, "REQUEST-STATUS": NONE,
    },
    "REQUEST": {
        "ATTENDEE": ONE_OR_MORE, "DTSTAMP": ONE, "DTSTART": ONE, "ORGANIZER": ONE,
        "SUMMARY": ONE, "UID": ONE, "SEQUENCE": OPTIONAL, "DTEND": OPTIONAL,
        "STATUS": OPTIONAL, "LOCATION": OPTIONAL, "URL": OPTIONAL, "REQUEST-STATUS": NONE,
    },
    "CANCEL": {
        "ATTENDEE": MANY, "DTSTAMP": ONE, "ORGANIZER": ONE, "SEQUENCE": ONE, "UID": ONE,
        "STATUS": OPTIONAL, "DTSTART": OPTIONAL, "REQUEST-STATUS": NONE,
    },
}  # fmt: skip
STATUSES = {
    "PUBLISH": {"TENTATIVE", "CONFIRMED", "CANCELLED"},
    "REQUEST": {"TENTATIVE", "CONFIRMED"},
    "CANCEL": {"CANCELLED"},
}


@dataclass(frozen=True)
class Checked:
    """A file that passed: parsed by icalendar for the tests to read further."""

    calendar: Calendar
    method: str
    events: list[Component]


def _count_ok(count: int, rule: str) -> bool:
    return {
        ONE: count == 1,
        OPTIONAL: count <= 1,
        MANY: True,
        ONE_OR_MORE: count >= 1,
        NONE: count == 0,
    }[rule]


def _problems(method: str, event: Component) -> list[str]:
    uid = event.get("UID", "?")
    found = []
    for name, rule in VEVENT_RULES[method].items():
        values = event.get(name)
        count = 0 if values is None else len(values) if isinstance(values, list) else 1
        if not _count_ok(count, rule):
            found.append(f"{uid}: {name} ×{count}, RFC 5546 demande {rule} pour {method}")
    if "DTEND" in event and event["DTEND"].dt <= event["DTSTART"].dt:
        found.append(f"{uid}: DTEND avant DTSTART (RFC 5545 §3.6.1)")
    status = str(event.get("STATUS", "")) or None
    if status and method in STATUSES and status not in STATUSES[method]:
        found.append(f"{uid}: STATUS {status} interdit pour {method}")
    for who in [event.get("ORGANIZER"), *_as_list(event.get("ATTENDEE"))]:
        if who is not None and not str(who).lower().startswith("mailto:"):
            found.append(f"{uid}: adresse {who} sans mailto:")
    return found


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def check(data: bytes, method: str) -> Checked:
    """Parse with `ical` (strict) and icalendar; assert RFC 5546's rules for `method`."""
    text = data.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "lignes en CRLF"
    strict = IcsCalendarStream.calendar_from_ics(text)  # raises CalendarParseError
    cal = Calendar.from_ical(data)
    assert str(cal["METHOD"]) == method == strict.method
    assert cal.get("PRODID") and str(cal["VERSION"]) == "2.0"
    events = list(cal.walk("VEVENT"))
    assert events and len(strict.events) == len(events)
    uids = {str(e["UID"]) for e in events}
    assert len(uids) == len(events), "un UID par événement"
    problems = [p for event in events for p in _problems(method, event)]
    if method == "CANCEL":
        whole = [e for e in events if str(e.get("STATUS", "")) == "CANCELLED"]
        if not whole:  # uninviting attendees: they must be named (§3.2.5)
            problems += [
                f"{e['UID']}: aucun ATTENDEE retiré" for e in events if not e.get("ATTENDEE")
            ]
    if any("TZID" in e["DTSTART"].params for e in events):
        assert cal.walk("VTIMEZONE"), "VTIMEZONE manquant"
    assert not problems, "\n".join(problems)
    return Checked(cal, method, events)
