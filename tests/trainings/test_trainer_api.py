"""Trainers' endpoints: sessions, participants, CSV, attendance; refused to everyone else."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.db import db, utcnow
from backend.timeutil import PARIS
from backend.trainings.models import Registration, RegistrationState
from tests.factories import UserFactory
from tests.helpers import auth_headers
from tests.mail.smtp import Inbox, calendar_part, text_part
from tests.trainings.conftest import SignUp, cancel_token, confirm_token, make_training


def _paris(days: int, hour: int) -> str:
    day = (utcnow() + dt.timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00:00"


def _webinar(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Gérer les factures de travaux",
        "format": "webinar",
        "audiences": ["fournisseur-travaux", "moe"],
        "description": "Théorie, démonstration, questions à un expert.",
        "capacity": 30,
        "visio_url": "https://visio.example/travaux",
        "parts": [{"starts_at": _paris(20, 10), "ends_at": _paris(20, 11) + ":30"[-3:]}],
        **overrides,
    }


@pytest.fixture
def trainer_headers(client: FlaskClient, trainer: Any) -> dict[str, str]:
    return auth_headers(client, trainer.email)


def test_a_trainer_creates_edits_and_publishes_a_session(
    client: FlaskClient, trainer_headers: dict[str, str]
) -> None:
    body = _webinar(parts=[{"starts_at": _paris(20, 10), "ends_at": _paris(20, 11)}])
    created = client.post("/api/v1/trainer/trainings", json=body, headers=trainer_headers)
    assert created.status_code == 201, created.get_json()
    session = created.get_json()
    assert (session["state"], session["sequence"], session["seats_left"]) == ("draft", 0, 30)
    assert session["starts_at"].endswith(("+01:00", "+02:00"))  # shown in Paris time
    assert client.get("/api/v1/trainings").get_json()["items"] == []

    path = f"/api/v1/trainer/trainings/{session['id']}"
    published = client.post(path + "/publish", headers=trainer_headers).get_json()
    assert published["state"] == "published"
    listed = client.get("/api/v1/trainings").get_json()["items"]
    assert [s["id"] for s in listed] == [session["id"]]
    assert "visio_url" not in listed[0]  # only confirmed participants get the link

    edited = client.patch(path, json={"title": "Factures de travaux"}, headers=trainer_headers)
    assert edited.get_json()["sequence"] == 1
    mine = client.get("/api/v1/trainer/trainings", headers=trainer_headers).get_json()
    assert mine["items"][0]["visio_url"] == "https://visio.example/travaux"


def test_coaching_has_two_parts_booked_together(
    client: FlaskClient, trainer_headers: dict[str, str]
) -> None:
    parts = [
        {"starts_at": _paris(30, 14), "ends_at": _paris(30, 15)},
        {"starts_at": _paris(37, 14), "ends_at": _paris(37, 15)},
    ]
    body = _webinar(format="coaching", capacity=10, parts=parts)
    created = client.post("/api/v1/trainer/trainings", json=body, headers=trainer_headers)
    assert created.status_code == 201
    assert [p["position"] for p in created.get_json()["parts"]] == [1, 2]
    one = client.post(
        "/api/v1/trainer/trainings", json={**body, "parts": parts[:1]}, headers=trainer_headers
    )
    assert one.status_code == 422
    assert one.get_json()["invalid_params"][0]["name"] == "parts"


def test_session_validation_is_french_and_names_the_field(
    client: FlaskClient, trainer_headers: dict[str, str]
) -> None:
    bad_order = _webinar(parts=[{"starts_at": _paris(20, 11), "ends_at": _paris(20, 10)}])
    response = client.post("/api/v1/trainer/trainings", json=bad_order, headers=trainer_headers)
    assert response.status_code == 422
    assert response.get_json()["invalid_params"][0] == {
        "name": "parts.0.ends_at",
        "in": "json",
        "reason": "La fin doit suivre le début.",
    }
    bad = client.post(
        "/api/v1/trainer/trainings",
        json=_webinar(capacity=0, visio_url="http://insecure.example", audiences=["x"]),
        headers=trainer_headers,
    ).get_json()
    reasons = {p["name"]: p["reason"] for p in bad["invalid_params"]}
    assert reasons["capacity"] == "Doit être compris entre 1 et 1000."
    assert reasons["visio_url"] == "Adresse web en https:// attendue."
    assert reasons["audiences.0"].startswith("Valeur attendue parmi")


def test_trainer_endpoints_are_refused_to_everyone_else(
    client: FlaskClient, trainer: Any, sign_up: SignUp
) -> None:
    training = make_training(trainer.id)
    base = f"/api/v1/trainer/trainings/{training.id}"
    calls = [
        ("get", "/api/v1/trainer/trainings"),
        ("post", "/api/v1/trainer/trainings"),
        ("get", base),
        ("patch", base),
        ("post", base + "/publish"),
        ("post", base + "/cancel"),
        ("get", base + "/participants"),
        ("get", base + "/participants.csv"),
        ("patch", base + "/participants/1"),
        ("delete", base + "/participants/1"),
    ]
    plain = auth_headers(client, UserFactory().email)
    other_trainer = auth_headers(client, UserFactory(is_trainer=True).email)
    for method, path in calls:
        anonymous = getattr(client, method)(path, json={})
        assert anonymous.status_code == 401, path
        refused = getattr(client, method)(path, json={}, headers=plain)
        assert refused.status_code == 403, path
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["detail"] == "Réservé aux formateurs et aux administrateurs."
    for method, path in calls[2:]:
        body = {"attended": True} if "/participants/" in path else {"title": "Autre titre"}
        response = getattr(client, method)(path, json=body, headers=other_trainer)
        assert response.status_code == 403, path
        assert response.get_json()["detail"] == "Vous n'animez pas cette session."


def test_an_admin_manages_any_session(client: FlaskClient, trainer: Any) -> None:
    training = make_training(trainer.id)
    admin = auth_headers(client, UserFactory(is_admin=True).email)
    response = client.get(f"/api/v1/trainer/trainings/{training.id}", headers=admin)
    assert response.status_code == 200


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(codecs.BOM_UTF8)  # French Excel reads UTF-8 only with its BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_participants_csv_groups_people_by_status_for_a_spreadsheet(
    client: FlaskClient,
    inbox: Inbox,
    trainer: Any,
    trainer_headers: dict[str, str],
    sign_up: SignUp,
) -> None:
    training = make_training(trainer.id, capacity=2)
    sign_up(training.id, "marc@example.fr", full_name="Marc Élie", siret="73282932000074")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[-1])})
    sign_up(
        training.id, "lea@example.fr", full_name='=HYPERLINK("http://x")', structure="+33 Bâtiment"
    )
    sign_up(training.id, "zoe@example.fr", full_name="Zoé", structure="-Zoé SARL")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[-1])})
    sign_up(training.id, "paul@example.fr", full_name="Paul")
    client.post("/api/v1/registrations/cancel", json={"token": cancel_token(inbox.messages[-1])})

    base = f"/api/v1/trainer/trainings/{training.id}"
    response = client.get(base + "/participants.csv", headers=trainer_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.split(b"\r\n")[0].decode("utf-8-sig").count(";") == 7
    rows = _csv_rows(response.data)
    assert [(r["E-mail"], r["Statut"], r["Rang en liste d'attente"]) for r in rows] == [
        ("marc@example.fr", "Confirmé", ""),
        ("lea@example.fr", "En attente de confirmation", ""),
        ("zoe@example.fr", "Liste d'attente", "1"),
        ("paul@example.fr", "Annulé", ""),
    ]
    marc, lea, zoe, _ = rows
    assert marc["SIRET"] == '="73282932000074"' and lea["SIRET"] == ""
    assert lea["Nom"] == '\'=HYPERLINK("http://x")' and lea["Structure"] == "'+33 Bâtiment"
    assert zoe["Structure"] == "'-Zoé SARL"
    created = db.session.query(Registration).filter_by(email="marc@example.fr").one().created_at
    assert marc["Inscrit le"] == created.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", zoe["Inscrit le"])
    etag = response.headers["ETag"]
    again = client.get(
        base + "/participants.csv", headers={**trainer_headers, "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_attendance_is_noted_from_the_start_for_confirmed_people_only(
    client: FlaskClient,
    inbox: Inbox,
    trainer: Any,
    trainer_headers: dict[str, str],
    sign_up: SignUp,
) -> None:
    training = make_training(trainer.id, capacity=1)
    sign_up(training.id, "marc@example.fr")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[-1])})
    sign_up(training.id, "zoe@example.fr")
    base = f"/api/v1/trainer/trainings/{training.id}/participants"
    marc, zoe = client.get(base, headers=trainer_headers).get_json()["items"]

    early = client.patch(f"{base}/{marc['id']}", json={"attended": True}, headers=trainer_headers)
    assert early.status_code == 422
    [reason] = early.get_json()["invalid_params"]
    assert reason["name"] == "attended"
    assert reason["reason"].startswith("La présence se note à partir du début de la session (")

    started = utcnow() - dt.timedelta(minutes=5)
    training.starts_at = training.parts[0].starts_at = started
    db.session.commit()
    marked = client.patch(f"{base}/{marc['id']}", json={"attended": True}, headers=trainer_headers)
    assert marked.status_code == 200 and marked.get_json()["attended"] is True
    waiting = client.patch(f"{base}/{zoe['id']}", json={"attended": True}, headers=trainer_headers)
    assert waiting.status_code == 422
    assert waiting.get_json()["invalid_params"][0]["name"] == "attended"
    rows = _csv_rows(client.get(base + ".csv", headers=trainer_headers).data)
    assert [r["Présent"] for r in rows] == ["oui", ""]


def test_capacity_increase_and_admin_cancellation_promote_the_next_person(
    client: FlaskClient,
    inbox: Inbox,
    trainer: Any,
    trainer_headers: dict[str, str],
    sign_up: SignUp,
) -> None:
    training = make_training(trainer.id, capacity=1)
    for email in ("a@example.fr", "b@example.fr", "c@example.fr"):
        sign_up(training.id, email)
        client.post(
            "/api/v1/registrations/confirm", json={"token": confirm_token(inbox.to(email)[0])}
        )
    base = f"/api/v1/trainer/trainings/{training.id}"
    too_small = client.patch(base, json={"capacity": 0}, headers=trainer_headers)
    assert too_small.status_code == 422
    grown = client.patch(base, json={"capacity": 2}, headers=trainer_headers).get_json()
    assert (grown["confirmed"], grown["waiting"], grown["sequence"]) == (2, 1, 0)
    assert inbox.to("b@example.fr")[-1]["Subject"].startswith("Une place s'est libérée")

    first = db.session.query(Registration).filter_by(email="a@example.fr").one()
    removed = client.delete(f"{base}/participants/{first.id}", headers=trainer_headers)
    assert removed.status_code == 204
    notice = inbox.to("a@example.fr")[-1]
    assert "L'organisateur a annulé votre inscription" in text_part(notice)
    assert inbox.to("c@example.fr")[-1]["Subject"].startswith("Une place s'est libérée")
    shrink = client.patch(base, json={"capacity": 1}, headers=trainer_headers)
    assert shrink.status_code == 409
    assert "(2 places occupées)" in shrink.get_json()["detail"]


def test_cancelling_a_session_emails_everyone_once(
    client: FlaskClient,
    inbox: Inbox,
    trainer: Any,
    trainer_headers: dict[str, str],
    sign_up: SignUp,
) -> None:
    training = make_training(trainer.id, capacity=1)
    sign_up(training.id, "a@example.fr")
    client.post("/api/v1/registrations/confirm", json={"token": confirm_token(inbox.messages[0])})
    sign_up(training.id, "b@example.fr")
    inbox.clear()
    base = f"/api/v1/trainer/trainings/{training.id}"
    cancelled = client.post(base + "/cancel", headers=trainer_headers).get_json()
    assert (cancelled["state"], cancelled["sequence"]) == ("cancelled", 1)
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.messages) == [
        "a@example.fr",
        "b@example.fr",
    ]
    for message in inbox.messages:
        assert message["Subject"] == "Formation annulée : Déposer une facture sur le portail"
    # Only the confirmed participant's calendar holds the session: only they get a CANCEL.
    ics = calendar_part(inbox.to("a@example.fr")[0])
    assert ics is not None and ics.get_param("method") == "CANCEL"
    assert calendar_part(inbox.to("b@example.fr")[0]) is None
    assert "inscription sur la liste d'attente est donc annulée" in text_part(
        inbox.to("b@example.fr")[0]
    )
    client.post(base + "/cancel", headers=trainer_headers)
    assert len(inbox.messages) == 2
    assert client.patch(base, json={"title": "Encore"}, headers=trainer_headers).status_code == 409
    assert client.post(base + "/publish", headers=trainer_headers).status_code == 409
    states = {r.state for r in db.session.query(Registration)}
    assert states == {RegistrationState.CONFIRMED, RegistrationState.WAITING}


def test_a_second_part_dated_before_the_first_is_refused_not_swapped(
    client: FlaskClient, trainer: Any, trainer_headers: dict[str, str]
) -> None:
    first = {"starts_at": _paris(37, 14), "ends_at": _paris(37, 15)}
    second = {"starts_at": _paris(30, 14), "ends_at": _paris(30, 15)}
    body = _webinar(format="coaching", title="X", parts=[first, second])
    refused = client.post("/api/v1/trainer/trainings", json=body, headers=trainer_headers)
    assert refused.status_code == 422
    reasons = {p["name"]: p["reason"] for p in refused.get_json()["invalid_params"]}
    assert reasons == {  # every error at once: the title's and the parts'
        "title": "La longueur doit être comprise entre 3 et 200 caractères.",
        "parts.1.starts_at": (
            "La séance 2 est datée avant la séance 1 : indiquez les séances dans l'ordre."
        ),
    }
    overlap = {"starts_at": _paris(37, 14), "ends_at": _paris(37, 16)}
    late = {"starts_at": _paris(37, 15), "ends_at": _paris(37, 17)}
    body = _webinar(format="coaching", parts=[overlap, late])
    refused = client.post("/api/v1/trainer/trainings", json=body, headers=trainer_headers)
    assert refused.get_json()["invalid_params"] == [
        {
            "name": "parts.1.starts_at",
            "in": "json",
            "reason": "La séance 2 commence avant la fin de la séance 1.",
        }
    ]
    body = _webinar(format="coaching", parts=[second, first])
    created = client.post("/api/v1/trainer/trainings", json=body, headers=trainer_headers)
    path = f"/api/v1/trainer/trainings/{created.get_json()['id']}"
    swapped = client.patch(path, json={"parts": [first, second]}, headers=trainer_headers)
    assert swapped.status_code == 422
    assert swapped.get_json()["invalid_params"][0]["name"] == "parts.1.starts_at"
    one = client.patch(path, json={"parts": [first]}, headers=trainer_headers)
    assert one.get_json()["invalid_params"] == [
        {"name": "parts", "in": "json", "reason": "Un accompagnement compte deux séances."}
    ]


def test_the_sessions_list_starts_with_the_next_one(
    client: FlaskClient, trainer: Any, trainer_headers: dict[str, str]
) -> None:
    far = make_training(trainer.id, starts_in=dt.timedelta(days=40))
    past = make_training(trainer.id, starts_in=dt.timedelta(days=-20))
    older = make_training(trainer.id, starts_in=dt.timedelta(days=-60))
    under_way = make_training(trainer.id, starts_in=dt.timedelta(minutes=-30))
    nearest = make_training(trainer.id, starts_in=dt.timedelta(days=3))
    listed = client.get("/api/v1/trainer/trainings", headers=trainer_headers).get_json()
    assert [t["id"] for t in listed["items"]] == [
        under_way.id,
        nearest.id,
        far.id,
        past.id,
        older.id,
    ]
