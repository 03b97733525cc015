"""iCalendar output parsed back, and the public list with its filters and ETags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from icalendar import Calendar

from backend.timeutil import PARIS
from backend.trainings.models import Format, SessionState
from tests.helpers import auth_headers
from tests.mail.smtp import Inbox, calendar_part
from tests.trainings.conftest import SignUp, confirm_token, make_training


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def _events(cal: Calendar) -> list[Any]:
    return list(cal.walk("VEVENT"))


def test_feed_and_invitation_share_one_uid_with_paris_times(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    coaching = make_training(trainer.id, format=Format.COACHING)
    feed = client.get("/api/v1/trainings/calendar.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = _parse(feed.data)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0"
    assert cal["PRODID"] == "-//Relais//Formations//FR"
    assert str(cal["X-WR-CALNAME"]) == "Formations Relais"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in feed.data
    events = _events(cal)
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
    assert b"DTSTAMP:" in feed.data and b"Z\r\n" in feed.data.split(b"DTSTAMP:")[1][:20]
    assert "visio" not in feed.data.decode()  # the link is for confirmed participants only
    assert str(first["SUMMARY"]).endswith("(1/2)")

    sign_up(coaching.id, "lea@example.fr")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[0])})
    attachment = calendar_part(inbox.messages[-1])
    assert attachment is not None
    invitation = _parse(attachment.get_payload(decode=True))
    assert invitation["METHOD"] == "REQUEST"
    assert [str(e["UID"]) for e in _events(invitation)] == [str(e["UID"]) for e in events]
    assert invitation.walk("VTIMEZONE")
    assert str(_events(invitation)[0]["LOCATION"]) == "https://visio.example/salle-42"


def test_sequence_rises_on_change_and_cancel_is_method_cancel(
    client: FlaskClient, trainer: Any
) -> None:
    training = make_training(trainer.id)
    path = f"/api/v1/trainings/{training.id}/calendar.ics"
    before = _events(_parse(client.get(path).data))[0]
    assert int(before["SEQUENCE"]) == 0 and _parse(client.get(path).data)["METHOD"] == "PUBLISH"
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
    after = _events(_parse(client.get(path).data))[0]
    assert int(after["SEQUENCE"]) == 1 and after["UID"] == before["UID"]
    assert after["DTSTART"].dt == start
    client.post(base + "/cancel", headers=headers)
    cancelled = _parse(client.get(path).data)
    assert cancelled["METHOD"] == "CANCEL"
    event = _events(cancelled)[0]
    assert int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    feed = _events(_parse(client.get("/api/v1/trainings/calendar.ics").data))
    assert [str(e["STATUS"]) for e in feed] == ["CANCELLED"]


def test_schedule_change_sends_the_updated_invitation(
    client: FlaskClient, inbox: Inbox, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id)
    sign_up(training.id, "lea@example.fr")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[0])})
    headers = auth_headers(client, trainer.email)
    url = "https://visio.example/nouvelle-salle"
    client.patch(
        f"/api/v1/trainer/trainings/{training.id}", json={"visio_url": url}, headers=headers
    )
    update = inbox.messages[-1]
    assert update["Subject"].startswith("Formation modifiée")
    attachment = calendar_part(update)
    assert attachment is not None
    event = _events(_parse(attachment.get_payload(decode=True)))[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == url


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
