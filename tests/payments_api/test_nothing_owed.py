"""An invoice with nothing to pay (credit note, already paid A2, zero to pay) has no payment
period: never late, no interest, no indemnity, no claim letter; old stored dates are cleared."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from backend.db import db
from backend.invoices.models import Invoice
from backend.migrate import MIGRATIONS
from backend.timeutil import paris_today
from tests.factories import make_invoice
from tests.payments_api.conftest import Payments, received

CLAIM = "/api/v1/invoices/{}/late-payment-claim"
NOTHING_TO_PAY = [
    pytest.param({"billing_framework": "A2", "amount_to_pay": Decimal("0.00")},
                 "nothing_to_pay", "déjà payée (cadre de facturation A2)", id="A2"),
    pytest.param({"billing_framework": "A1", "amount_to_pay": Decimal("0.00")},
                 "nothing_to_pay", "Le montant à payer de cette facture est nul", id="A1-zero"),
    pytest.param({"type": "AVOIR"}, "credit_note", "Avoir", id="AVOIR"),
]  # fmt: skip


def _get(client: FlaskClient, payments: Payments, path: str) -> Any:
    return client.get(path, headers=payments.headers(client))


@pytest.mark.parametrize(("fields", "state", "reason"), NOTHING_TO_PAY)
def test_no_deadline_no_delay_no_letter(
    client: FlaskClient, payments: Payments, fields: dict[str, Any], state: str, reason: str
) -> None:
    # Received 60 days ago and never paid: a payable invoice would be 30 days late.
    invoice = make_invoice(payments.mine, payments.town, received(60), number="F-RIEN", **fields)
    assert (invoice.available_on, invoice.due_on, invoice.paid_on) == (None, None, None)
    block = _get(client, payments, f"/api/v1/invoices/{invoice.id}").get_json()["payment"]
    assert block["state"] == state
    assert (block["due_date"], block["days_late"], block["interest"]) == (None, 0, None)
    assert block["claim_available"] is False
    (explanation,) = block["explanation"]
    assert reason in explanation and "Aucun délai de paiement ne court" in explanation
    items = _get(client, payments, "/api/v1/invoices").get_json()["items"]
    assert next(i for i in items if i["number"] == "F-RIEN")["late"] is False
    late = _get(client, payments, "/api/v1/invoices?payment=late").get_json()["items"]
    assert [i["number"] for i in late] == ["F-RETARD"]
    refused = _get(client, payments, CLAIM.format(invoice.id))
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    detail = refused.get_json()["detail"]
    assert reason in detail
    assert "ni retard, ni intérêts moratoires, ni indemnité forfaitaire à réclamer" in detail


def test_the_synthese_counts_no_interest_for_them(client: FlaskClient, payments: Payments) -> None:
    before = _get(client, payments, "/api/v1/summary").get_json()
    for fields, *_ in (p.values for p in NOTHING_TO_PAY):
        make_invoice(payments.mine, payments.town, received(60), **fields)
    after = _get(client, payments, "/api/v1/summary").get_json()
    assert after["overdue"] == before["overdue"]
    assert after["interest_owed"] == before["interest_owed"]


def test_a_payable_invoice_still_gets_its_letter(client: FlaskClient, payments: Payments) -> None:
    """A deposit (ACOMPTE) under A9 with a partial amount to pay is owed like any invoice."""
    invoice = make_invoice(
        payments.mine, payments.town, received(60), amount="1200.00", number="F-PART",
        type="ACOMPTE", billing_framework="A9", amount_to_pay=Decimal("700.00"),
    )  # fmt: skip
    letter = _get(client, payments, CLAIM.format(invoice.id) + "?format=text")
    assert letter.status_code == 200
    text = " ".join(letter.get_data(as_text=True).replace("\u202f", " ").split())
    assert "s'élève à 1 200,00 € TTC ; le montant restant à payer" in text
    assert "est de 700,00 €" in text


def _migration() -> ModuleType:
    path = Path(MIGRATIONS) / "versions" / "0015_nothing_to_pay.py"
    spec = importlib.util.spec_from_file_location("migration_0015", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_clears_the_dates_stored_before_the_rule(payments: Payments) -> None:
    old = [
        make_invoice(payments.mine, payments.town, received(60), **fields)
        for fields, *_ in (p.values for p in NOTHING_TO_PAY)
    ]
    ids = [invoice.id for invoice in old]
    day = paris_today()
    db.session.execute(
        update(Invoice).where(Invoice.id.in_(ids)).values(available_on=day, due_on=day)
    )
    db.session.commit()
    version = payments.mine.data_version
    assert _migration().clear_dates(db.session.connection()) == len(ids)
    db.session.commit()
    for invoice in [*old, payments.late]:
        db.session.refresh(invoice)
    assert all(i.available_on is i.due_on is i.paid_on is None for i in old)
    assert payments.late.due_on is not None  # a payable invoice keeps its dates
    db.session.refresh(payments.mine)
    assert payments.mine.data_version > version
