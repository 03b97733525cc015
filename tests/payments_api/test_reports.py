"""GET /summary and GET /dashboard: overdue, interest owed, due this week."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask.testing import FlaskClient

from backend.accounts.scope import load_scope
from backend.db import db
from backend.invoices.statuses import TODO_CODES
from backend.invoices.totals import status_counts
from backend.payments.interest import late_payment_interest
from backend.payments.rates import ECB_RATES
from backend.payments.reports import payment_totals
from backend.timeutil import paris_today
from backend.tracking import reports
from tests.factories import UserFactory
from tests.helpers import details_agree_with_their_schema, reports_agree_with_their_schemas
from tests.payments_api.conftest import Payments


def test_summary_and_dashboard_show_payment_figures(
    client: FlaskClient, payments: Payments
) -> None:
    due = paris_today() - dt.timedelta(days=10)
    expected = late_payment_interest(Decimal("1200.00"), due, paris_today(), ECB_RATES)
    for path in ("/api/v1/summary", "/api/v1/dashboard"):
        body = client.get(path, headers=payments.headers(client)).get_json()
        assert body["overdue"] == {"count": 1, "amount_incl_tax": "1200.00"}, path
        assert body["interest_owed"] == {
            "count": 1,
            "interest": str(expected.interest),
            "indemnity": "40.00",
            "total": str(expected.total),
        }
        assert body["due_this_week"] == {"count": 1, "amount_incl_tax": "500.00"}


def test_another_supplier_sees_nothing_owed(client: FlaskClient, payments: Payments) -> None:
    body = client.get("/api/v1/summary", headers=payments.headers(client, payments.other))
    figures = body.get_json()
    assert figures["overdue"] == {"count": 0, "amount_incl_tax": "0.00"}
    assert figures["interest_owed"]["total"] == "0.00"


def test_payment_figures_json_match_their_schemas(payments: Payments) -> None:
    """Overdue invoices, interest owed, invoices due this week: as the schemas dump them."""
    reports_agree_with_their_schemas(payments.me.id)


def test_payment_blocks_json_match_their_schema(payments: Payments) -> None:
    """Late with interest owed, due soon, paid late (final interest), on time, suspended."""
    details_agree_with_their_schema(
        [
            payments.late,
            payments.due_soon,
            payments.paid_late,
            payments.paid_on_time,
            payments.suspended,
        ]
    )


def test_counts_names_and_unpaid_totals_in_one_statement_read_as_apart(
    payments: Payments,
) -> None:
    """The Synthèse's and Tableau de bord's one statement gives what three would."""
    today = paris_today()
    for user in (payments.me, payments.other, UserFactory()):  # the last one has no structure
        scope = load_scope(db.session, user.id)
        for codes in (None, TODO_CODES):
            found = reports.figures(db.session, scope, codes, today)
            alone = status_counts(db.session, scope, codes)
            assert sorted(found.counts) == sorted(alone)
            assert found.names == reports.structure_names(db.session, [r[0] for r in alone])
            assert payment_totals(db.session, scope, today, found.unpaid) == payment_totals(
                db.session, scope, today
            )
    mine = reports.figures(db.session, load_scope(db.session, payments.me.id), None, today)
    assert mine.counts and mine.unpaid.late_count == 1 and mine.unpaid.soon_count == 1
