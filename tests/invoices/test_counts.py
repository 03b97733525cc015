"""The counts per structure, service and status always equal a count of the invoices."""

from __future__ import annotations

import random
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend import ingest
from backend.accounts.models import Role
from backend.accounts.scope import load_scope
from backend.accounts.visibility import unrestricted_ids
from backend.db import db
from backend.invoices import counts, service
from backend.invoices.models import Invoice, InvoiceCount
from backend.invoices.totals import counted, counts_by_status, status_counts
from tests.factories import MembershipFactory, RecipientFactory, StructureFactory, UserFactory, at
from tests.helpers import auth_headers

CODES = ["DEPOSEE", "MISE_A_DISPOSITION", "SUSPENDUE", "REJETEE", "MANDATEE", "MISE_EN_PAIEMENT"]


def _from_invoices() -> dict[tuple[int, int, str], tuple[int, Decimal]]:
    found: dict[tuple[int, int, str], tuple[int, Decimal]] = {}
    for invoice in db.session.scalars(select(Invoice)):
        amount = invoice.amount_incl_tax or Decimal("0.00")
        keys = [(invoice.structure_id, counts.ALL_SERVICES, invoice.status_code)]
        if invoice.service_id:
            keys.append((invoice.structure_id, invoice.service_id, invoice.status_code))
        for key in keys:
            count, total = found.get(key, (0, Decimal("0.00")))
            found[key] = (count + 1, total + amount)
    return found


def _from_counts() -> dict[tuple[int, int, str], tuple[int, Decimal]]:
    rows = db.session.scalars(select(InvoiceCount).where(InvoiceCount.count != 0)).all()
    return {
        (r.structure_id, r.service_key, r.status_code): (
            r.count,
            Decimal(r.amount_incl_tax).quantize(Decimal("0.01")),
        )
        for r in rows
    }


def test_counts_follow_every_kind_of_change(app_ctx: Flask) -> None:
    """Creations, status changes in and out of order, replays, new amounts, new services."""
    rng = random.Random(5)
    structures = [StructureFactory(), StructureFactory()]
    recipient = RecipientFactory()
    owner: dict[int, int] = {}
    for step in range(160):
        portal_id = rng.randrange(40)
        structure = owner.setdefault(portal_id, rng.choice(structures).id)
        changes = [
            service.ChangeIn(rng.choice(CODES), at(rng.randrange(1, 28), rng.randrange(24)))
            for _ in range(rng.randrange(0, 3))
        ]
        data = service.InvoiceRecord(
            portal_id=portal_id,
            number=f"F-{portal_id}",
            recipient_siret=recipient.siret,
            service_code=rng.choice([None, "ATELIER", "VOIRIE"]),
            amount_incl_tax=rng.choice([None, Decimal(rng.randrange(1, 10**6)) / 100]),
        )
        ingest.record(db.session, structure, data, changes, source="test")
        if step % 3:
            db.session.commit()
        else:
            db.session.rollback()  # an abandoned write leaves no count behind
    db.session.commit()
    assert _from_counts() == _from_invoices()
    whole_structure = [c for (_, key, _), (c, _) in _from_counts().items() if key == -1]
    assert sum(whole_structure) == db.session.scalar(select(func.count()).select_from(Invoice))
    # Rebuilding from the invoices finds the same rows.
    before = _from_counts()
    counts.rebuild(db.session)
    db.session.commit()
    assert _from_counts() == before


def test_totals_and_dashboard_respect_service_restrictions(client: FlaskClient) -> None:
    structure, recipient = StructureFactory(), RecipientFactory()
    whole, restricted = UserFactory(), UserFactory()
    MembershipFactory(user=whole, structure=structure, role=Role.MANAGER)
    membership = MembershipFactory(user=restricted, structure=structure, role=Role.USER)
    for portal_id, code, service_code in [
        (1, "SUSPENDUE", "ATELIER"),
        (2, "SUSPENDUE", "VOIRIE"),
        (3, "REJETEE", "ATELIER"),
        (4, "MISE_A_DISPOSITION", None),
    ]:
        data = service.InvoiceRecord(
            portal_id=portal_id,
            number=f"F-{portal_id}",
            recipient_siret=recipient.siret,
            service_code=service_code,
            amount_incl_tax=Decimal("100.00") * portal_id,
        )
        ingest.record(db.session, structure.id, data, [service.ChangeIn(code, at(2))], source="t")
    db.session.commit()
    atelier = next(s for s in recipient.services if s.code == "ATELIER")
    membership.services.append(atelier)
    db.session.commit()

    def seen(user_email: str) -> tuple[int, int, int, str]:
        headers = auth_headers(client, user_email)
        listed = client.get("/api/v1/invoices", headers=headers).get_json()
        suspended = client.get("/api/v1/invoices?status=SUSPENDUE", headers=headers).get_json()
        dashboard = client.get("/api/v1/dashboard", headers=headers).get_json()
        return (
            listed["total"],
            suspended["total"],
            dashboard["totals"]["count"],
            dashboard["totals"]["amount_incl_tax"],
        )

    assert seen(whole.email) == (4, 2, 4, "1000.00")
    assert seen(restricted.email) == (2, 1, 2, "400.00")


def test_statements_built_once_count_like_the_invoices(app_ctx: Flask) -> None:
    """Unrestricted scopes read the counts with prebuilt statements: same answers."""
    first, second, other = StructureFactory(), StructureFactory(), StructureFactory()
    recipient, user = RecipientFactory(), UserFactory()
    MembershipFactory(user=user, structure=first, role=Role.MANAGER)
    MembershipFactory(user=user, structure=second, role=Role.USER)
    rng = random.Random(8)
    for portal_id in range(30):
        data = service.InvoiceRecord(
            portal_id=portal_id,
            number=f"F-{portal_id}",
            recipient_siret=recipient.siret,
            service_code=rng.choice([None, "ATELIER"]),
            amount_incl_tax=Decimal(rng.randrange(1, 10**5)) / 100,
        )
        structure = rng.choice([first, second, other])
        change = service.ChangeIn(rng.choice(CODES), at(rng.randrange(1, 28)))
        ingest.record(db.session, structure.id, data, [change], source="t")
    db.session.commit()
    scope = load_scope(db.session, user.id)
    assert unrestricted_ids(scope) == sorted([first.id, second.id])
    assert unrestricted_ids(scope, [second.id, other.id]) == [second.id]
    for codes in (None, ["SUSPENDUE"], ["SUSPENDUE", "REJETEE", "MANDATEE"], []):
        status_filter = [] if codes is None else [Invoice.status_code.in_(codes)]
        for wanted in ((), (first.id,), (second.id, other.id), (other.id,)):
            structures = [s for s in (first.id, second.id) if not wanted or s in wanted]
            expected = db.session.scalar(
                select(func.count())
                .select_from(Invoice)
                .where(Invoice.structure_id.in_(structures), *status_filter)
            )
            assert counted(db.session, scope, codes, wanted) == expected
        from_counts = sorted(status_counts(db.session, scope, codes))
        assert from_counts == sorted(counts_by_status(db.session, scope, status_filter))
