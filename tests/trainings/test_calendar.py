"""iCalendar output checked by a strict second parser and RFC 5546's rules (tests/trainings/
itip.py), and the public list with its filters and ETags."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

import pytest
from flask.testing import FlaskClient
from ical.exceptions import CalendarParseError

from backend.db import utcnow
from backend.timeutil import PARIS
from backend.trainings.models import Format, SessionState
from tests.helpers import auth_headers
from tests.mail.smtp import Inbox, calendar_part, html_part, text_part
from tests.trainings.conftest import SignUp, cancel_token, confirm_token, make_training
from tests.trainings.itip import Checked, check

ORGANIZER = "mailto:formations@relais.example"


def _attached(message: EmailMessage, method: str) -> Checked:
    part = calendar_part(message)
    assert part is not None, message["Subject"]
    assert part.get_param("method") == method
    return check(part.get_payload(decode=True), method)


def _confirmed(client: FlaskClient, inbox: Inbox, training_id: int, sign_up: SignUp) -> Any:
    sign_up(training_id, "lea@example.fr", full_name="Léa Garnier")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[-1])})
    return inbox.messages[-1]


def test_feed_and_invitation_share_one_uid_with_paris_times(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    coaching = make_training(trainer.id, format=Format.COACHING)
    feed = client.get("/api/v1/trainings/calendar.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    published = check(feed.data, "PUBLISH")
    cal, events = published.calendar, published.events
    assert cal["PRODID"] == "-//Relais//Formations//FR"
    assert str(cal["X-WR-CALNAME"]) == "Formations Relais"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.data
    assert [str(e["UID"]) for e in events] == [
        f"relais-formation-{coaching.id}-1@127.0.0.1",
        f"relais-formation-{coaching.id}-2@127.0.0.1",
    ]
    [timezone] = cal.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Paris"
    first = events[0]
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert first["DTSTART"].dt == coaching.parts[0].starts_at.astimezone(PARIS)
    assert first["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)
    assert str(first["ORGANIZER"]) == ORGANIZER and first["ORGANIZER"].params["CN"] == "Relais"
    assert "visio" not in feed.data.decode()  # the link is for confirmed participants only
    assert str(first["SUMMARY"]).endswith("(1/2)")

    before = utcnow().replace(microsecond=0)
    invitation = _attached(_confirmed(client, inbox, coaching.id, sign_up), "REQUEST")
    assert [str(e["UID"]) for e in invitation.events] == [str(e["UID"]) for e in events]
    event = invitation.events[0]
    assert str(event["LOCATION"]) == "https://visio.example/salle-42"
    assert str(event["ORGANIZER"]) == ORGANIZER
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:lea@example.fr"
    assert {k: attendee.params[k] for k in ("CN", "PARTSTAT", "RSVP", "ROLE")} == {
        "CN": "Léa Garnier",
        "PARTSTAT": "ACCEPTED",
        "RSVP": "FALSE",
        "ROLE": "REQ-PARTICIPANT",
    }
    assert event["DTSTAMP"].dt >= before  # a message's DTSTAMP is when it was made


def test_a_participant_cancelling_gets_a_cancel_that_outranks_the_invitation(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id)
    welcome = _confirmed(client, inbox, training.id, sign_up)
    invitation = _attached(welcome, "REQUEST").events[0]
    later = utcnow().replace(microsecond=0)
    client.post("/api/v1/registrations/cancel", json={"token": cancel_token(welcome)})
    goodbye = inbox.messages[-1]
    cancel = _attached(goodbye, "CANCEL").events[0]
    assert cancel["UID"] == invitation["UID"]
    assert int(cancel["SEQUENCE"]) > int(invitation["SEQUENCE"])
    assert cancel["DTSTAMP"].dt >= later
    assert str(cancel["ATTENDEE"]) == "mailto:lea@example.fr"
    assert "STATUS" not in cancel  # one attendee uninvited, the session goes on (§3.2.5)

    # Signing up again: the new invitation outranks the cancellation (same or higher SEQUENCE,
    # later DTSTAMP).
    again = _confirmed(client, inbox, training.id, sign_up)
    renewed = _attached(again, "REQUEST").events[0]
    assert int(renewed["SEQUENCE"]) >= int(cancel["SEQUENCE"])
    assert renewed["DTSTAMP"].dt >= cancel["DTSTAMP"].dt


def test_sequence_rises_on_change_and_a_cancelled_session_is_published_cancelled(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id)
    welcome = _confirmed(client, inbox, training.id, sign_up)
    path = f"/api/v1/trainings/{training.id}/calendar.ics"
    before = check(client.get(path).data, "PUBLISH").events[0]
    assert int(before["SEQUENCE"]) == 0 and str(before["STATUS"]) == "CONFIRMED"
    headers = auth_headers(client, trainer.email)
    start = training.starts_at + dt.timedelta(hours=1)
    moved = {
        "parts": [
            {
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(minutes=90)).isoformat(),
            }
        ]
    }
    base = f"/api/v1/trainer/trainings/{training.id}"
    assert client.patch(base, json=moved, headers=headers).status_code == 200
    after = check(client.get(path).data, "PUBLISH").events[0]
    assert int(after["SEQUENCE"]) == 1 and after["UID"] == before["UID"]
    assert after["DTSTART"].dt == start
    update = _attached(inbox.messages[-1], "REQUEST").events[0]
    assert int(update["SEQUENCE"]) == 1
    assert update["DTSTAMP"].dt >= _attached(welcome, "REQUEST").events[0]["DTSTAMP"].dt

    client.post(base + "/cancel", headers=headers)
    cancelled = check(client.get(path).data, "PUBLISH").events[0]
    assert int(cancelled["SEQUENCE"]) == 2 and str(cancelled["STATUS"]) == "CANCELLED"
    feed = check(client.get("/api/v1/trainings/calendar.ics").data, "PUBLISH").events
    assert [str(e["STATUS"]) for e in feed] == ["CANCELLED"]
    notice = _attached(inbox.messages[-1], "CANCEL").events[0]
    assert int(notice["SEQUENCE"]) == 2 and str(notice["STATUS"]) == "CANCELLED"
    assert str(notice["ATTENDEE"]) == "mailto:lea@example.fr"


def test_schedule_change_says_what_changed_and_links_the_visio(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id)
    _confirmed(client, inbox, training.id, sign_up)
    headers = auth_headers(client, trainer.email)
    url = "https://visio.example/nouvelle-salle"
    start = (training.starts_at + dt.timedelta(days=1)).astimezone(PARIS).replace(hour=14, minute=0)
    parts = [
        {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=1)).isoformat()}
    ]
    client.patch(
        f"/api/v1/trainer/trainings/{training.id}",
        json={"visio_url": url, "parts": parts},
        headers=headers,
    )
    update = inbox.messages[-1]
    assert update["Subject"].startswith("Formation modifiée")
    event = _attached(update, "REQUEST").events[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == url
    text = text_part(update).replace("\r\n", "\n")
    assert "Date et heure\navant : " in text and "\ndésormais : " in text
    assert "de 14 h 00 à 15 h 00" in text.split("désormais : ")[1]
    assert (
        f"Lien de la classe virtuelle\navant : https://visio.example/salle-42\ndésormais : {url}"
        in text
    )
    html = html_part(update)
    assert f'<a href="{url}">{url}</a>' in html


def test_public_list_filters_and_etag(client: FlaskClient, trainer: Any) -> None:
    webinar = make_training(trainer.id, audiences="micro-entreprise,moe")
    coaching = make_training(
        trainer.id, format=Format.COACHING, audiences="moa", starts_in=dt.timedelta(days=40)
    )
    make_training(trainer.id, state=SessionState.DRAFT)
    make_training(trainer.id, starts_in=dt.timedelta(days=-1))

    def ids(query: str = "") -> list[int]:
        return [s["id"] for s in client.get("/api/v1/trainings" + query).get_json()["items"]]

    assert ids() == [webinar.id, coaching.id]
    assert ids("?format=coaching") == [coaching.id]
    assert ids("?audience=moe") == [webinar.id]
    assert ids("?audience=moa") == [coaching.id]
    month = webinar.starts_at.astimezone(PARIS).strftime("%Y-%m")
    assert webinar.id in ids(f"?month={month}") and coaching.id not in ids(f"?month={month}")
    bad = client.get("/api/v1/trainings?month=2026-13").get_json()
    assert bad["invalid_params"][0] == {
        "name": "month",
        "in": "query",
        "reason": "Mois attendu au format AAAA-MM.",
    }
    first = client.get("/api/v1/trainings")
    cached = client.get("/api/v1/trainings", headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    detail = client.get(f"/api/v1/trainings/{webinar.id}")
    assert detail.get_json()["audiences"][1] == {"code": "moe", "label": "Maîtrise d'œuvre (MOE)"}
    again = client.get(
        f"/api/v1/trainings/{webinar.id}", headers={"If-None-Match": detail.headers["ETag"]}
    )
    assert again.status_code == 304
    ics = client.get(f"/api/v1/trainings/{webinar.id}/calendar.ics")
    assert (
        client.get(
            f"/api/v1/trainings/{webinar.id}/calendar.ics",
            headers={"If-None-Match": ics.headers["ETag"]},
        ).status_code
        == 304
    )


OLD_INVITATION = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relais//Formations//FR\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:relais-formation-1-1@127.0.0.1\r\nDTSTAMP:20261201T100000Z\r\n"
    "DTSTART:20261207T120000Z\r\nDTEND:20261207T133000Z\r\nSUMMARY:Webinaire\r\n"
    "SEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_the_checker_refuses_what_calendar_apps_refuse() -> None:
    """The invitation as it was sent before (no ORGANIZER, no ATTENDEE) fails; so do a
    cancellation without SEQUENCE, an event ending before it starts and a badly typed date."""
    with pytest.raises(AssertionError, match="ORGANIZER ×0"):
        check(OLD_INVITATION.encode(), "REQUEST")
    cancel = OLD_INVITATION.replace("METHOD:REQUEST", "METHOD:CANCEL").replace("SEQUENCE:0\r\n", "")
    with pytest.raises(AssertionError, match="SEQUENCE ×0"):
        check(cancel.encode(), "CANCEL")
    backwards = OLD_INVITATION.replace("DTEND:20261207T133000Z", "DTEND:20261207T110000Z")
    with pytest.raises(AssertionError, match="DTEND avant DTSTART"):
        check(backwards.encode(), "REQUEST")
    typo = OLD_INVITATION.replace("DTSTART:20261207T120000Z", "DTSTART:2026-12-07")
    with pytest.raises(CalendarParseError):
        check(typo.encode(), "REQUEST")
