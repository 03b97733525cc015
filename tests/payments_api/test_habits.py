"""A recipient's habits appear with an invoice only when at least five suppliers contribute."""

from __future__ import annotations

from flask.testing import FlaskClient

from backend.db import db, utcnow
from backend.payments.jobs import recompute_habits
from tests.factories import StructureFactory, make_invoice
from tests.helpers import details_agree_with_their_schema
from tests.payments_api.conftest import Payments, ago, received


def _paid_by_other_suppliers(payments: Payments, suppliers: int) -> None:
    """Each supplier: two invoices to the town, paid 20 and 30 days after availability."""
    for _ in range(suppliers):
        structure = StructureFactory()
        for delay in (20, 30):
            make_invoice(
                structure, payments.town, [*received(100), ("MISE_EN_PAIEMENT", ago(100 - delay))]
            )


def _habits(client: FlaskClient, payments: Payments) -> dict | None:  # type: ignore[type-arg]
    recompute_habits(db.session, utcnow())
    db.session.commit()
    url = f"/api/v1/invoices/{payments.late.id}"
    return client.get(url, headers=payments.headers(client)).get_json()["payment"]["habits"]  # type: ignore[no-any-return]


def test_four_suppliers_are_not_enough(client: FlaskClient, payments: Payments) -> None:
    # The fixture's supplier has two paid invoices to the town: it counts as one supplier.
    _paid_by_other_suppliers(payments, 3)
    assert _habits(client, payments) is None


def test_five_suppliers_give_median_and_90th_percentile(
    client: FlaskClient, payments: Payments
) -> None:
    _paid_by_other_suppliers(payments, 4)
    habits = _habits(client, payments)
    assert habits is not None
    # 8 delays of 20 or 30 days, plus the fixture's 45 (paid late) and 5 (paid on time).
    assert habits["suppliers"] == 5 and habits["observations"] == 10
    assert habits["median_days"] == 20 and habits["p90_days"] == 30
    db.session.expire_all()
    details_agree_with_their_schema([payments.late])  # habits included
    assert habits["sentence"] == (
        "Commune de Villeurbanne paie habituellement en 20\u00a0jours "
        "(9 factures sur 10 en 30\u00a0jours au plus)."
    )


def test_old_payments_do_not_count(client: FlaskClient, payments: Payments) -> None:
    for _ in range(5):
        structure = StructureFactory()
        make_invoice(structure, payments.town, [*received(500), ("MISE_EN_PAIEMENT", ago(470))])
    # Paid more than a year ago: outside the window of the habits.
    assert _habits(client, payments) is None
