"""POST /api/v1/integrations/status-events: batches of invoices and status changes by API key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.models import Role, Structure, User
from backend.db import db
from backend.integrations.service import create_api_key, revoke_api_key
from backend.invoices.models import Invoice, StatusChange
from backend.siret import make_siret
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from tests.helpers import auth_headers

URL = "/api/v1/integrations/status-events"
TOWN_SIRET = make_siret(900_001)
HOSPITAL_SIRET = make_siret(900_002)


@dataclass
class Setup:
    mine: Structure
    theirs: Structure
    member: User
    key: str
    other_key: str

    def post(self, client: FlaskClient, items: Any, key: str | None = None, **kw: Any) -> Any:
        headers = {"X-API-Key": self.key if key is None else key, **kw.pop("headers", {})}
        return client.post(URL, json={"items": items}, headers=headers, **kw)


@pytest.fixture
def setup(app_ctx: Flask) -> Setup:
    mine = StructureFactory(name="Menuiserie Dupont")
    theirs = StructureFactory(name="Autre SARL")
    member = UserFactory()
    MembershipFactory(user=member, structure=mine, role=Role.MANAGER)
    _, key = create_api_key(db.session, "ERP Dupont", [mine])
    _, other_key = create_api_key(db.session, "ERP Autre", [theirs])
    db.session.commit()
    return Setup(mine, theirs, member, key, other_key)


def item(
    structure: Structure, portal_id: int, changes: list[tuple[Any, str]], **invoice: Any
) -> dict[str, Any]:
    return {
        "invoice": {
            "portal_id": portal_id,
            "number": f"F-{portal_id}",
            "structure_siret": structure.siret,
            "recipient_siret": TOWN_SIRET,
            "recipient_name": "Commune de Villeurbanne",
            **invoice,
        },
        "changes": [{"code": code, "occurred_at": when} for code, when in changes],
    }


def good_batch(s: Setup) -> list[dict[str, Any]]:
    return [
        item(
            s.mine,
            1001,
            [
                ("DEPOSEE", "2026-10-01T10:00:00+02:00"),
                ("EN_COURS_ACHEMINEMENT", "2026-10-01T11:00:00+02:00"),
            ],
            amount_incl_tax="1500.00",
            service_code="VOIRIE",
            service_name="Voirie",
            type="FACTURE",
            billing_framework="A1",
            invoice_date="2026-09-30",
        ),
        item(
            s.mine,
            1002,
            [(200, "2026-10-02T09:00:00Z"), (203, "2026-10-03T09:00:00Z")],
            amount_incl_tax="300.50",
        ),
        item(s.mine, 1003, [("200", "2026-10-02T09:00:00Z"), (205, "2026-10-04T09:00:00Z")]),
    ]


def history(portal_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    invoice = db.session.scalar(select(Invoice).where(Invoice.portal_id == portal_id))
    assert invoice is not None
    return [(c.code, c.occurred_at.isoformat()) for c in invoice.history]


def version(structure: Structure) -> int:
    db.session.expire_all()
    return db.session.get(Structure, structure.id).data_version  # type: ignore[union-attr]


def test_good_batch_lands_and_members_see_it(client: FlaskClient, setup: Setup) -> None:
    response = setup.post(client, good_batch(setup))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["accepted"] == 3 and body["rejected"] == 0
    assert [
        (r["index"], r["status"], r["created"], r["recorded"], r["duplicates"])
        for r in body["results"]
    ] == [(0, "ok", True, 2, 0), (1, "ok", True, 2, 0), (2, "ok", True, 2, 0)]
    assert all(r["detail"] is None and r["invalid_params"] is None for r in body["results"])

    assert history(1002) == [
        ("DEPOSEE", "2026-10-02T09:00:00+00:00"),
        ("MISE_A_DISPOSITION", "2026-10-03T09:00:00+00:00"),
    ]
    assert history(1003)[-1][0] == "205"  # no portal equivalent: kept under its number

    listing = client.get("/api/v1/invoices", headers=auth_headers(client, setup.member.email))
    assert listing.status_code == 200
    items = {i["portal_id"]: i for i in listing.get_json()["items"]}
    assert set(items) == {1001, 1002, 1003}
    assert items[1001]["status"]["code"] == "EN_COURS_ACHEMINEMENT"
    assert items[1001]["status"]["changed_at"] == "2026-10-01T09:00:00+00:00"
    assert items[1001]["service"]["code"] == "VOIRIE"
    assert items[1001]["amount_incl_tax"] == "1500.00"
    assert items[1002]["status"]["code"] == "MISE_A_DISPOSITION"
    assert items[1002]["status"]["lifecycle_code"] == 203
    assert items[1003]["status"] | {"changed_at": None} == {
        "code": "205",
        "label": "Approuvée",
        "known": True,
        "category": "in_progress",
        "category_label": "En cours de traitement",
        "lifecycle_code": 205,
        "action_required": False,
        "final": False,
        "comment": None,
        "changed_at": None,
    }


def test_replayed_batch_changes_nothing(client: FlaskClient, setup: Setup) -> None:
    batch = good_batch(setup)
    assert setup.post(client, batch).status_code == 200
    headers = auth_headers(client, setup.member.email)
    etag = client.get("/api/v1/invoices", headers=headers).headers["ETag"]
    before_version = version(setup.mine)
    before = {pid: history(pid) for pid in (1001, 1002, 1003)}

    again = setup.post(client, batch)
    assert again.status_code == 200
    body = again.get_json()
    assert body["accepted"] == 3
    assert [
        (r["status"], r["created"], r["recorded"], r["duplicates"]) for r in body["results"]
    ] == [("ok", False, 0, 2)] * 3
    assert {pid: history(pid) for pid in (1001, 1002, 1003)} == before
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 6
    assert version(setup.mine) == before_version
    cached = client.get("/api/v1/invoices", headers={**headers, "If-None-Match": etag})
    assert cached.status_code == 304


def test_same_instant_in_another_offset_is_a_duplicate(client: FlaskClient, setup: Setup) -> None:
    setup.post(client, [item(setup.mine, 7, [("DEPOSEE", "2026-10-01T10:00:00+02:00")])])
    body = setup.post(
        client, [item(setup.mine, 7, [("DEPOSEE", "2026-10-01T08:00:00Z")])]
    ).get_json()
    assert body["results"][0]["duplicates"] == 1 and body["results"][0]["recorded"] == 0


def test_partly_invalid_batch_names_each_bad_field(client: FlaskClient, setup: Setup) -> None:
    good = item(setup.mine, 2001, [("DEPOSEE", "2026-10-01T10:00:00Z")])
    bad_siret = item(setup.mine, 2002, [("DEPOSEE", "2026-10-01T10:00:00Z")])
    bad_siret["invoice"]["recipient_siret"] = "12345678901234"
    no_number = item(setup.mine, 2003, [("DEPOSEE", "2026-10-01T10:00:00Z")])
    del no_number["invoice"]["number"]
    naive = item(setup.mine, 2004, [("DEPOSEE", "2026-10-01T10:00:00")])
    bad_code = item(setup.mine, 2005, [("PAS UN CODE!", "2026-10-01T10:00:00Z")])
    other_good = item(setup.mine, 2006, [(211, "2026-10-05T10:00:00Z")])
    batch = [good, bad_siret, no_number, naive, bad_code, "pas un objet", other_good, 42]

    response = setup.post(client, batch)
    assert response.status_code == 200
    body = response.get_json()
    assert body["accepted"] == 2 and body["rejected"] == 6
    results = body["results"]
    assert [r["status"] for r in results] == [
        "ok",
        "error",
        "error",
        "error",
        "error",
        "error",
        "ok",
        "error",
    ]
    assert [r["index"] for r in results] == list(range(8))

    def names(index: int) -> list[str]:
        return [p["name"] for p in results[index]["invalid_params"]]

    def reasons(index: int) -> str:
        return " ".join(p["reason"] for p in results[index]["invalid_params"])

    assert names(1) == ["invoice.recipient_siret"] and reasons(1) == "Numéro SIRET invalide."
    assert names(2) == ["invoice.number"] and reasons(2) == "Ce champ est obligatoire."
    assert names(3) == ["changes.0.occurred_at"] and "fuseau horaire" in reasons(3)
    assert names(4) == ["changes.0.code"] and reasons(4).startswith("Code de statut invalide")
    for index in (5, 7):
        assert results[index]["invalid_params"] == [
            {"name": "", "reason": "Un objet JSON est attendu."}
        ]
    for index in (1, 2, 3, 4, 5, 7):
        assert results[index]["detail"] == "Données invalides."
        assert results[index]["invoice_id"] is None
    stored = set(db.session.scalars(select(Invoice.portal_id)))
    assert stored == {2001, 2006}
    assert history(2006) == [("MISE_EN_PAIEMENT", "2026-10-05T10:00:00+00:00")]


def test_errors_in_english_on_request(client: FlaskClient, setup: Setup) -> None:
    bad = item(setup.mine, 3001, [("DEPOSEE", "2026-10-01T10:00:00Z")])
    del bad["invoice"]["number"]
    body = setup.post(client, [bad], headers={"Accept-Language": "en"}).get_json()
    assert body["results"][0]["invalid_params"] == [
        {"name": "invoice.number", "reason": "Missing data for required field."}
    ]
    assert body["results"][0]["detail"] == "Invalid data."


def test_structure_outside_the_key_fails_alone(client: FlaskClient, setup: Setup) -> None:
    batch = [
        item(setup.theirs, 4001, [("DEPOSEE", "2026-10-01T10:00:00Z")]),
        item(setup.mine, 4002, [("DEPOSEE", "2026-10-01T10:00:00Z")]),
    ]
    before = version(setup.theirs)
    body = setup.post(client, batch).get_json()
    assert [r["status"] for r in body["results"]] == ["error", "ok"]
    assert "pas autorisée" in body["results"][0]["detail"]
    assert set(db.session.scalars(select(Invoice.portal_id))) == {4002}
    assert version(setup.theirs) == before


def test_portal_id_of_another_structure_is_refused(client: FlaskClient, setup: Setup) -> None:
    theirs = item(
        setup.theirs, 5001, [("DEPOSEE", "2026-10-01T10:00:00Z")], amount_incl_tax="10.00"
    )
    assert setup.post(client, [theirs], key=setup.other_key).get_json()["accepted"] == 1
    hijack = item(setup.mine, 5001, [("REJETEE", "2026-10-02T10:00:00Z")], amount_incl_tax="99.00")
    body = setup.post(client, [hijack]).get_json()
    assert body["results"][0]["status"] == "error"
    assert "autre structure" in body["results"][0]["detail"]
    db.session.expire_all()
    invoice = db.session.scalar(select(Invoice).where(Invoice.portal_id == 5001))
    assert invoice is not None
    assert (invoice.structure_id, invoice.status_code, str(invoice.amount_incl_tax)) == (
        setup.theirs.id,
        "DEPOSEE",
        "10.00",
    )
    assert history(5001) == [("DEPOSEE", "2026-10-01T10:00:00+00:00")]


@pytest.mark.parametrize("key", [None, "", "rk_nope", "revoked"])
def test_bad_api_key_is_401_problem(client: FlaskClient, setup: Setup, key: str | None) -> None:
    headers = {}
    if key == "revoked":
        api_key, key = create_api_key(db.session, "old", [setup.mine])
        revoke_api_key(db.session, api_key)
        db.session.commit()
    if key is not None:
        headers["X-API-Key"] = key
    batch = [item(setup.mine, 6001, [("DEPOSEE", "2026-10-01T10:00:00Z")])]
    response = client.post(URL, json={"items": batch}, headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": None},
        {"items": "nope"},
        {"items": [{}] * 501},
        [],
        "not json",
    ],
    ids=["missing", "empty", "null", "not-a-list", "too-many", "list-body", "not-json"],
)
def test_envelope_errors_name_items(client: FlaskClient, setup: Setup, body: Any) -> None:
    headers = {"X-API-Key": setup.key}
    if body == "not json":
        response = client.post(
            URL, data="{items: [", headers=headers, content_type="application/json"
        )
    else:
        response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert [p["name"] for p in problem["invalid_params"]] == ["items"]
    assert "items" in problem["detail"]


def test_exactly_500_items_is_accepted(client: FlaskClient, setup: Setup) -> None:
    batch = [item(setup.mine, 10_000 + n, []) for n in range(500)]
    body = setup.post(client, batch).get_json()
    assert body["accepted"] == 500


def test_out_of_order_batches_keep_the_newest_current(client: FlaskClient, setup: Setup) -> None:
    setup.post(
        client,
        [
            item(
                setup.mine,
                8001,
                [
                    ("DEPOSEE", "2026-10-01T10:00:00Z"),
                    ("MISE_EN_PAIEMENT", "2026-10-20T10:00:00Z"),
                ],
            )
        ],
    )
    body = setup.post(
        client,
        [
            item(
                setup.mine,
                8001,
                [
                    ("MANDATEE", "2026-10-15T10:00:00Z"),
                    ("MISE_A_DISPOSITION", "2026-10-02T10:00:00Z"),
                ],
            )
        ],
    ).get_json()
    assert body["results"][0]["recorded"] == 2
    detail = client.get(
        f"/api/v1/invoices/{body['results'][0]['invoice_id']}",
        headers=auth_headers(client, setup.member.email),
    ).get_json()
    assert detail["status"]["code"] == "MISE_EN_PAIEMENT"
    assert detail["status"]["changed_at"] == "2026-10-20T10:00:00+00:00"
    assert [s["code"] for s in detail["history"]] == [
        "DEPOSEE",
        "MISE_A_DISPOSITION",
        "MANDATEE",
        "MISE_EN_PAIEMENT",
    ]


def test_unknown_code_is_stored_raw_and_shown_as_words(client: FlaskClient, setup: Setup) -> None:
    body = setup.post(
        client,
        [
            item(
                setup.mine,
                9001,
                [
                    ("DEPOSEE", "2026-10-01T10:00:00Z"),
                    ("a_valider_moe_bis", "2026-10-03T10:00:00Z"),
                ],
            )
        ],
    ).get_json()
    assert body["accepted"] == 1
    detail = client.get(
        f"/api/v1/invoices/{body['results'][0]['invoice_id']}",
        headers=auth_headers(client, setup.member.email),
    ).get_json()
    assert detail["status"]["code"] == "A_VALIDER_MOE_BIS"
    assert detail["status"]["label"] == "A valider moe bis"  # the code as words
    assert detail["status"]["known"] is False
    assert detail["history"][-1]["label"] == "A valider moe bis"
    assert "tel que le portail" in detail["explanation"]


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_item_at_the_ends_of_time_fails_alone(
    client: FlaskClient, setup: Setup, when: str
) -> None:
    """The offset pushed these instants out of Python's range: a 500, the good item lost."""
    bad = item(setup.mine, 3001, [("DEPOSEE", when)])
    good = item(setup.mine, 3002, [("DEPOSEE", "2026-10-01T10:00:00Z")])
    response = setup.post(client, [bad, good])
    assert response.status_code == 200, response.get_json()
    first, second = response.get_json()["results"]
    assert first["status"] == "error"
    assert first["invalid_params"] == [
        {"name": "changes.0.occurred_at", "reason": "Date hors des limites : années 2000 à 2100."}
    ]
    assert second["status"] == "ok" and history(3002) == [("DEPOSEE", "2026-10-01T10:00:00+00:00")]


def test_a_change_dated_in_the_future_is_refused_with_its_reason(
    client: FlaskClient, setup: Setup
) -> None:
    """A MANDATEE of 2099 stayed the current status and hid a real rejection."""
    now = dt.datetime.now(dt.UTC)
    first = [("DEPOSEE", (now - dt.timedelta(days=3)).isoformat())]
    setup.post(client, [item(setup.mine, 3101, first)])
    future = item(setup.mine, 3101, [("MANDATEE", "2099-01-01T00:00:00+00:00")])
    body = setup.post(client, [future]).get_json()
    assert body["rejected"] == 1
    assert body["results"][0]["detail"] == (
        "Changement de statut daté dans le futur (2099-01-01T00:00:00+00:00) : refusé. "
        "Envoyez-le une fois survenu."
    )
    rejected = item(setup.mine, 3101, [("REJETEE", now.isoformat())])
    assert setup.post(client, [rejected]).get_json()["accepted"] == 1
    invoice = db.session.scalar(select(Invoice).where(Invoice.portal_id == 3101))
    assert invoice is not None and invoice.status_code == "REJETEE"
    assert [code for code, _ in history(3101)] == ["DEPOSEE", "REJETEE"]


def test_a_change_within_the_clock_skew_is_accepted(client: FlaskClient, setup: Setup) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)).isoformat()
    assert (
        setup.post(client, [item(setup.mine, 3201, [("DEPOSEE", soon)])]).get_json()["accepted"]
        == 1
    )


def test_an_older_replay_never_overwrites_newer_fields(client: FlaskClient, setup: Setup) -> None:
    early = [("DEPOSEE", "2026-10-01T10:00:00Z")]
    later = [*early, ("MISE_A_DISPOSITION", "2026-10-02T10:00:00Z")]
    old = item(setup.mine, 3301, early, number="F-OLD", amount_incl_tax="100.00")
    new = item(setup.mine, 3301, later, number="F-NEW", amount_incl_tax="120.00")
    assert setup.post(client, [new]).get_json()["accepted"] == 1
    replay = dict(old, invoice={**old["invoice"], "engagement_number": "EJ-42"})
    assert setup.post(client, [replay]).get_json()["accepted"] == 1
    db.session.expire_all()
    invoice = db.session.scalar(select(Invoice).where(Invoice.portal_id == 3301))
    assert invoice is not None
    assert (invoice.number, str(invoice.amount_incl_tax)) == ("F-NEW", "120.00")
    assert invoice.engagement_number == "EJ-42"  # unknown until then: an older fact fills it
    assert invoice.status_code == "MISE_A_DISPOSITION"
    newest = item(setup.mine, 3301, [("MANDATEE", "2026-10-05T10:00:00Z")], number="F-FIX")
    assert setup.post(client, [newest]).get_json()["accepted"] == 1
    db.session.expire_all()
    assert db.session.get(Invoice, invoice.id).number == "F-FIX"  # type: ignore[union-attr]
