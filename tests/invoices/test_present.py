"""JSON built directly (list items, Synthèse, Tableau de bord) is what the schemas dump."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask

from backend import ingest
from backend.accounts.scope import load_scope
from backend.db import db
from backend.invoices import present, queries, reports, service
from backend.invoices.models import Invoice
from backend.invoices.schemas import InvoiceOut
from tests.factories import RecipientFactory, StructureFactory, at
from tests.helpers import details_agree_with_their_schema, reports_agree_with_their_schemas
from tests.invoices.conftest import World


def test_json_items_match_the_schema_dump(app_ctx: Flask) -> None:
    structure, recipient = StructureFactory(), RecipientFactory()
    cases = [
        # (status history, service, amounts, invoice date, portal terms)
        ([("DEPOSEE", at(1))], None, None, None),
        ([("DEPOSEE", at(1)), ("SUSPENDUE", at(3), "Pièce manquante")], "ATELIER", "1200.5", 2),
        ([("DEPOSEE", at(1)), ("REJETEE", at(2))], "VOIRIE", "0.10", 1),
        ([("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))], None, "99999999.99", 5),
        ([("DEPOSEE", at(1)), ("MANDATEE", at(4)), ("MISE_EN_PAIEMENT", at(9))], None, "12", 3),
        ([("STATUT_INCONNU_XYZ", at(5))], None, "3.333", None),
    ]
    invoices = []
    for portal_id, (history, service_code, amount, day) in enumerate(cases, start=1):
        data = service.InvoiceRecord(
            portal_id=portal_id,
            number=f"F-{portal_id}",
            recipient_siret=recipient.siret,
            service_code=service_code,
            amount_incl_tax=None if amount is None else Decimal(amount),
            amount_excl_tax=None if amount is None else Decimal(amount) / 2,
            amount_to_pay=None if amount is None else Decimal(amount),
            invoice_date=None if day is None else dt.date(2026, 10, day),
            deposit_date=None if day is None else dt.date(2026, 10, day),
        )
        changes = [service.ChangeIn(*h) for h in history]
        invoices.append(ingest.record(db.session, structure.id, data, changes, source="t").invoice)
    db.session.commit()
    schema = InvoiceOut()
    for invoice in invoices:
        row = db.session.execute(queries.item_select().where(Invoice.id == invoice.id)).one()
        for lang in ("fr", "en"):
            assert present.invoice_row_json(row, lang) == schema.dump(
                present.invoice_item(invoice, lang)
            )


def test_row_fields_follow_the_item_columns() -> None:
    """invoice_row_json unpacks rows by position: the columns' order is its contract."""
    assert tuple(column.key for column in queries.ITEM_COLUMNS) == present.ROW_FIELDS


def test_synthese_and_dashboard_json_match_their_schemas(world: World) -> None:
    """Invoices to acknowledge, unknown statuses, structures, a restricted user."""
    for user in (world.me, world.roads_only, world.them):
        reports_agree_with_their_schemas(user.id)
    scope = load_scope(db.session, world.me.id)
    assert reports.summary(db.session, scope, None, "fr")["to_acknowledge"]  # not an empty case


def test_detail_json_matches_its_schema(world: World) -> None:
    """Paid, rejected, suspended, recycled, in progress, unknown status, with a service."""
    details_agree_with_their_schema(
        [
            world.paid,
            world.rejected,
            world.suspended,
            world.recycled,
            world.in_progress,
            world.unknown,
            world.foreign,
        ]
    )
