"""The claim letter (PDF and text) and the admin endpoints (rates, recipients' category)."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient
from sqlalchemy import select

from backend.db import db
from backend.invoices.models import Invoice
from backend.timeutil import paris_today
from tests.factories import UserFactory
from tests.helpers import auth_headers
from tests.payments_api.conftest import Payments

CLAIM = "/api/v1/invoices/{}/late-payment-claim"


def test_letter_as_pdf_and_text(client: FlaskClient, payments: Payments) -> None:
    h = payments.headers(client)
    pdf = client.get(CLAIM.format(payments.paid_late.id), headers=h)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "reclamation-interets-moratoires-F-PAYEE-TARD.pdf" in pdf.headers["Content-Disposition"]
    text = client.get(CLAIM.format(payments.paid_late.id) + "?format=text", headers=h)
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    body = text.get_data(as_text=True)
    detail = client.get(f"/api/v1/invoices/{payments.paid_late.id}", headers=h).get_json()
    interest = detail["payment"]["interest"]
    for amount in (interest["interest"], interest["total"]):
        assert amount.replace(".", ",") in body
    assert "3\u202f000,00\u00a0€" in body and "40,00\u00a0€" in body
    assert "Commune de Villeurbanne" in body and "Atelier Dupont" in body
    assert "article L2192-13" in body


def test_no_letter_without_delay_nor_outside_scope(client: FlaskClient, payments: Payments) -> None:
    h = payments.headers(client)
    refused = client.get(CLAIM.format(payments.paid_on_time.id), headers=h)
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert "ni intérêts moratoires ni indemnité à réclamer" in refused.get_json()["detail"]
    other = payments.headers(client, payments.other)
    assert client.get(CLAIM.format(payments.late.id), headers=other).status_code == 404


def _admin(client: FlaskClient) -> dict[str, str]:
    admin = UserFactory(is_admin=True)
    return auth_headers(client, admin.email)


def test_admin_endpoints_are_refused_to_others(client: FlaskClient, payments: Payments) -> None:
    h = payments.headers(client)
    assert client.get("/api/v1/admin/ecb-rates", headers=h).status_code == 403
    put = client.put(
        "/api/v1/admin/ecb-rates",
        headers=h,
        json={"rates": [{"half_year_start": "2027-01-01", "rate_percent": "2", "source": "x" * 5}]},
    )
    assert put.status_code == 403
    category = client.put(
        f"/api/v1/admin/recipients/{payments.town.id}/payment-category",
        headers=h,
        json={"category": "health"},
    )
    assert category.status_code == 403
    assert category.get_json()["detail"] == "Réservé aux administrateurs."


def test_admin_edits_a_rate_and_interest_follows(client: FlaskClient, payments: Payments) -> None:
    h = _admin(client)
    rates = client.get("/api/v1/admin/ecb-rates", headers=h).get_json()
    assert rates[0] == {
        "half_year_start": "2019-01-01",
        "rate_percent": "0.00",
        "source": rates[0]["source"],
        "updated_at": rates[0]["updated_at"],
    }
    assert "ecb.europa.eu" in rates[0]["source"]
    due = paris_today() - dt.timedelta(days=10)
    half_year = dt.date(due.year, 1 if due.month <= 6 else 7, 1).isoformat()
    new = {"half_year_start": half_year, "rate_percent": "12.00", "source": "Saisie de test"}
    response = client.put("/api/v1/admin/ecb-rates", headers=h, json={"rates": [new]})
    assert response.status_code == 200, response.get_json()
    mine = payments.headers(client)
    detail = client.get(f"/api/v1/invoices/{payments.late.id}", headers=mine).get_json()
    assert detail["payment"]["interest"]["rate_percent"] == "20.00"
    assert detail["payment"]["interest"]["ecb_source"] == "Saisie de test"


def test_rate_validation_speaks_french(client: FlaskClient, payments: Payments) -> None:
    h = _admin(client)
    cases = {
        "2027-02-01": ("2.00", "1er janvier ou le 1er juillet"),
        "2027-01-01": ("2.125", "deux décimales"),
        "2027-07-01": ("99", "entre -5 et 25"),
    }
    for start, (rate, words) in cases.items():
        body = {"rates": [{"half_year_start": start, "rate_percent": rate, "source": "BCE"}]}
        response = client.put("/api/v1/admin/ecb-rates", headers=h, json=body)
        assert response.status_code == 422, start
        assert words in response.get_json()["detail"], response.get_json()


def test_category_change_moves_the_due_dates(client: FlaskClient, payments: Payments) -> None:
    h = _admin(client)
    response = client.put(
        f"/api/v1/admin/recipients/{payments.town.id}/payment-category",
        headers=h,
        json={"category": "public_enterprise"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["category"]["days"] == 60 and body["invoices_updated"] == 5
    late = db.session.scalar(select(Invoice).where(Invoice.number == "F-RETARD"))
    assert late is not None
    assert late.due_on == paris_today() + dt.timedelta(days=20)
    mine = payments.headers(client)
    listed = client.get("/api/v1/invoices?payment=late", headers=mine).get_json()
    assert listed["total"] == 0
    wrong = client.put(
        f"/api/v1/admin/recipients/{payments.town.id}/payment-category",
        headers=h,
        json={"category": "ministere"},
    )
    assert wrong.status_code == 422
    assert "Catégorie inconnue" in wrong.get_json()["detail"]
    missing = client.put(
        "/api/v1/admin/recipients/999999/payment-category", headers=h, json={"category": "health"}
    )
    assert missing.status_code == 404
