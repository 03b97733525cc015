"""GET /invoices: the payment filters, the due-date sort and its cursor."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import make_invoice
from tests.payments_api.conftest import Payments, received


def _get(client: FlaskClient, payments: Payments, query: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/invoices?{query}", headers=payments.headers(client))
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _numbers(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [item["number"] for item in body["items"]]


def test_late_paid_late_and_due_within(client: FlaskClient, payments: Payments) -> None:
    assert _numbers(_get(client, payments, "payment=late")) == ["F-RETARD"]
    assert _numbers(_get(client, payments, "payment=paid_late")) == ["F-PAYEE-TARD"]
    assert _numbers(_get(client, payments, "due_within=3")) == ["F-BIENTOT"]
    assert _numbers(_get(client, payments, "due_within=2")) == []
    body = _get(client, payments, "due_within=30&amount_min=600")
    assert body["total"] == 0


def test_other_suppliers_late_invoices_stay_hidden(client: FlaskClient, payments: Payments) -> None:
    response = client.get(
        "/api/v1/invoices?payment=late", headers=payments.headers(client, payments.other)
    )
    assert response.get_json()["total"] == 0


def test_sort_by_due_date_pages_with_its_cursor(client: FlaskClient, payments: Payments) -> None:
    for days in (45, 41, 39, 38, 30, 2):
        make_invoice(payments.mine, payments.town, received(days), number=f"F-{days:02d}")
    seen: list[str] = []
    query = "sort=due_on&limit=3"
    body = _get(client, payments, query)
    total = body["total"]
    while True:
        seen += _numbers(body)
        if body["next_cursor"] is None:
            break
        assert body["next_cursor"].startswith("due.")
        body = _get(client, payments, f"{query}&cursor={body['next_cursor']}")
    # The suspended invoice has no fixed due date: it is not in this list.
    assert total == len(seen) == 10
    assert "F-SUSP" not in seen
    assert seen.index("F-PAYEE-TARD") < seen.index("F-45") < seen.index("F-02")
    assert seen[-1] == "F-02"


def test_cursor_of_one_sort_is_refused_by_the_other(
    client: FlaskClient, payments: Payments
) -> None:
    h = payments.headers(client)
    by_change = client.get("/api/v1/invoices?limit=1", headers=h).get_json()["next_cursor"]
    by_due = client.get("/api/v1/invoices?limit=1&sort=due_on", headers=h).get_json()["next_cursor"]
    for query in (f"sort=due_on&cursor={by_change}", f"cursor={by_due}"):
        response = client.get(f"/api/v1/invoices?{query}", headers=h)
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"


def test_bad_payment_filters_are_named(client: FlaskClient, payments: Payments) -> None:
    h = payments.headers(client)
    for query, field in {
        "payment=soon": "payment",
        "due_within=0": "due_within",
        "due_within=366": "due_within",
        "sort=amount": "sort",
    }.items():
        response = client.get(f"/api/v1/invoices?{query}", headers=h)
        assert response.status_code == 422, query
        assert response.get_json()["invalid_params"][0]["name"] == field
