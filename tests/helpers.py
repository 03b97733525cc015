"""Small helpers for API tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from marshmallow import Schema

from backend.accounts.models import Role
from backend.accounts.scope import Grant, Scope, load_scope
from backend.db import db
from backend.invoices.models import Invoice
from backend.invoices.present import plain_json
from backend.tracking import detail, reports
from backend.tracking.schemas import DashboardOut, InvoiceDetailOut, SummaryOut
from tests.factories import PASSWORD


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def auth_headers(client: FlaskClient, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(client, email)['access_token']}"}


def is_its_schemas_dump(schema: Schema, answer: Any) -> None:
    """An answer built as JSON is what its documented schema dumps of the values it holds:
    every field, none more, each written as the schema writes it (amounts, dates, times)."""
    assert schema.dump(schema.load(answer)) == answer


def reports_agree_with_their_schemas(user_id: int) -> None:
    """The Synthèse and the Tableau de bord built as JSON equal their schemas' dumps."""
    scope = load_scope(db.session, user_id)
    for lang in ("fr", "en"):
        summary = reports.summary(db.session, scope, None, lang)
        assert plain_json(summary) == SummaryOut().dump(summary)
        for period in ((None, None), (dt.date(2026, 10, 1), dt.date(2026, 10, 31))):
            dashboard = reports.dashboard(db.session, scope, None, *period, lang)
            assert plain_json(dashboard) == DashboardOut().dump(dashboard)


def details_agree_with_their_schema(invoices: list[Invoice]) -> None:
    """Invoice details, in both languages, are what InvoiceDetailOut dumps."""
    for invoice in invoices:
        scope = Scope(0, (Grant(invoice.structure_id, Role.USER, (), 0),))
        found = detail.find(db.session, scope, invoice.id)
        assert found is not None
        for lang in ("fr", "en"):
            is_its_schemas_dump(InvoiceDetailOut(), detail.invoice_detail(found, lang, db.session))
