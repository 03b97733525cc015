"""The payment block of GET /invoices/{id}: deadline, delay, interest explained, habits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask.testing import FlaskClient

from backend.db import db
from backend.payments.interest import late_payment_interest
from backend.payments.rates import ECB_RATES
from backend.timeutil import paris_today
from tests.factories import make_invoice
from tests.payments_api.conftest import Payments, ago, received


def _payment(client: FlaskClient, payments: Payments, invoice_id: int) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/invoices/{invoice_id}", headers=payments.headers(client))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["payment"]  # type: ignore[no-any-return]


def test_late_invoice_shows_interest_to_date_explained(
    client: FlaskClient, payments: Payments
) -> None:
    today = paris_today()
    block = _payment(client, payments, payments.late.id)
    due = today - dt.timedelta(days=10)
    assert block["state"] == "late"
    assert block["category"]["days"] == 30
    assert block["category"]["code"] == "state_and_local"
    assert block["start_date"] == (today - dt.timedelta(days=40)).isoformat()
    assert block["due_date"] == due.isoformat()
    assert block["days_late"] == 10 and block["days_until_due"] is None
    expected = late_payment_interest(Decimal("1200.00"), due, today, ECB_RATES)
    interest = block["interest"]
    assert interest["interest"] == str(expected.interest)
    assert interest["indemnity"] == "40.00"
    assert interest["total"] == str(expected.total)
    assert interest["final"] is False
    assert interest["days"] == 10
    assert any("+ 8 points" in step for step in interest["steps"])
    assert block["explanation"][0].startswith("Facture mise à disposition du destinataire")
    assert block["claim_available"] is True
    assert block["habits"] is None


def test_paid_late_gives_the_final_amount(client: FlaskClient, payments: Payments) -> None:
    block = _payment(client, payments, payments.paid_late.id)
    assert block["state"] == "paid_late"
    assert block["days_late"] == 15
    assert block["interest"]["final"] is True
    assert block["interest"]["end_date"] == (paris_today() - dt.timedelta(days=5)).isoformat()


def test_on_time_running_and_suspended(client: FlaskClient, payments: Payments) -> None:
    on_time = _payment(client, payments, payments.paid_on_time.id)
    assert on_time["state"] == "paid_on_time" and on_time["interest"] is None
    assert on_time["claim_available"] is False
    soon = _payment(client, payments, payments.due_soon.id)
    assert soon["state"] == "running" and soon["days_until_due"] == 3
    # Available 20 days ago, suspended 10 days ago (20 days were left): a new period of
    # 30 days will open when the documents arrive; if today, it ends in 30 days.
    suspended = _payment(client, payments, payments.suspended.id)
    assert suspended["state"] == "suspended"
    assert suspended["due_date_provisional"] is True
    assert suspended["due_date"] == (paris_today() + dt.timedelta(days=30)).isoformat()
    assert suspended["suspensions"] == [
        {
            "start": (paris_today() - dt.timedelta(days=10)).isoformat(),
            "end": None,
            "days": 10,
            "balance_days": 20,
            "new_period_days": 30,
        }
    ]
    assert suspended["suspended_days"] == 10


def test_completion_opens_a_new_period_and_stores_the_due_date(
    client: FlaskClient, payments: Payments
) -> None:
    assert payments.suspended.due_on is None
    invoice = make_invoice(
        payments.mine,
        payments.town,
        [*received(20), ("SUSPENDUE", ago(10)), ("COMPLETEE", ago(4))],
    )
    db.session.refresh(invoice)
    # 30 days from the documents' receipt, not the 6 days of waiting added back.
    assert invoice.due_on == paris_today() - dt.timedelta(days=4) + dt.timedelta(days=30)
    block = _payment(client, payments, invoice.id)
    assert block["state"] == "running" and block["suspended_days"] == 6
    assert block["due_date_provisional"] is False
    assert any("un nouveau délai de 30" in line for line in block["explanation"])


def test_worked_example_through_the_detail_and_the_letter(
    client: FlaskClient, payments: Payments
) -> None:
    """DOMAIN.md: €5,000, available 3 March 2025, suspended 25 March, completed 1 April,
    paid 10 May: due 1 May, 9 days late, 13.75 € + 40 € = 53.75 €."""
    paris = dt.timezone(dt.timedelta(hours=1))
    history = [
        ("DEPOSEE", dt.datetime(2025, 3, 3, 9, tzinfo=paris)),
        ("MISE_A_DISPOSITION", dt.datetime(2025, 3, 3, 10, tzinfo=paris)),
        ("SUSPENDUE", dt.datetime(2025, 3, 25, 10, tzinfo=paris), "Bon de commande manquant"),
        ("COMPLETEE", dt.datetime(2025, 4, 1, 10, tzinfo=paris)),
        ("MISE_EN_PAIEMENT", dt.datetime(2025, 5, 10, 10, tzinfo=paris)),
    ]
    invoice = make_invoice(
        payments.mine, payments.town, history, amount="5000.00", number="F-EXEMPLE"
    )
    block = _payment(client, payments, invoice.id)
    assert (block["state"], block["due_date"], block["days_late"]) == ("paid_late", "2025-05-01", 9)
    assert block["suspensions"][0]["end"] == "2025-04-01"
    interest = block["interest"]
    assert (interest["rate_percent"], interest["interest"], interest["total"]) == (
        "11.15",
        "13.75",
        "53.75",
    )
    letter = client.get(
        f"/api/v1/invoices/{invoice.id}/late-payment-claim?format=text",
        headers=payments.headers(client),
    ).get_data(as_text=True)
    flat = " ".join(letter.split())
    assert "Vous avez interrompu ce délai le 25 mars 2025" in flat
    assert "payée au plus tard le 1er mai 2025" in flat
    assert "53,75 €" in flat and "87,35" not in flat


def test_credit_note_and_list_fields(client: FlaskClient, payments: Payments) -> None:
    credit = make_invoice(payments.mine, payments.town, received(60), type="AVOIR")
    block = _payment(client, payments, credit.id)
    assert block["state"] == "credit_note" and block["due_date"] is None
    body = client.get("/api/v1/invoices", headers=payments.headers(client)).get_json()
    by_number = {item["number"]: item for item in body["items"]}
    assert by_number["F-RETARD"]["late"] is True
    assert by_number["F-BIENTOT"]["late"] is False
    assert by_number["F-SUSP"]["due_on"] is None
