"""Each answer, built as JSON directly, is what its documented schema dumps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask.testing import FlaskClient

from backend import ingest
from backend.accounts.models import Role
from backend.accounts.scope import load_scope
from backend.db import db
from backend.invoices import service
from backend.tracking import reports
from backend.tracking.schemas import InvoicePageOut
from tests.factories import MembershipFactory, RecipientFactory, StructureFactory, UserFactory, at
from tests.helpers import (
    auth_headers,
    details_agree_with_their_schema,
    is_its_schemas_dump,
    reports_agree_with_their_schemas,
)
from tests.tracking.conftest import World


def test_list_pages_are_their_schemas_dump(client: FlaskClient) -> None:
    """Both ways of paging (the common page, sqlakeyset's), in both languages."""
    structure, recipient, user = StructureFactory(), RecipientFactory(), UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.MANAGER)
    cases = [
        # (status history, service, amounts, invoice date)
        ([("DEPOSEE", at(1))], None, None, None),
        ([("DEPOSEE", at(1)), ("SUSPENDUE", at(3), "Pièce manquante")], "ATELIER", "1200.5", 2),
        ([("DEPOSEE", at(1)), ("REJETEE", at(2))], "VOIRIE", "0.10", 1),
        ([("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))], None, "99999999.99", 5),
        ([("DEPOSEE", at(1)), ("MANDATEE", at(4)), ("MISE_EN_PAIEMENT", at(9))], None, "12", 3),
        ([("STATUT_INCONNU_XYZ", at(5))], None, "3.333", None),
    ]
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
        ingest.record(db.session, structure.id, data, changes, source="t")
    db.session.commit()
    headers = auth_headers(client, user.email)
    for lang in ("fr", "en"):
        for query, count in (("", 6), ("?q=F-", 6), ("?sort=due_on", 3)):
            answer = client.get(
                f"/api/v1/invoices{query}", headers=headers | {"Accept-Language": lang}
            )
            body = answer.get_json()
            assert len(body["items"]) == count, query
            is_its_schemas_dump(InvoicePageOut(), body)
    late = body["items"][0]  # by due date: the earliest is late
    assert late["late"] and late["service"] is None and late["amount_to_pay"] == "99999999.99"


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
