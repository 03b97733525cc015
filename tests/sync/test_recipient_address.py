"""The sync reads each recipient's postal address once a month; the claim letter carries it."""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from flask.testing import FlaskClient
from sqlalchemy import select, update

from backend.accounts.models import Recipient, Role
from backend.db import current_session
from backend.invoices.models import Invoice
from backend.portal.endpoints import CONSULT_STRUCTURE, CONSULT_SUPPLIER_INVOICE
from backend.sync.models import SyncRun
from backend.sync.service import sync_structure
from backend.timeutil import paris_today
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import auth_headers
from tests.payments_api.conftest import ecb_rates  # noqa: F401 (autouse: the ECB rates)
from tests.sync.conftest import Portal

CLAIM = "/api/v1/invoices/{}/late-payment-claim?format=text"


def run(portal: Portal) -> SyncRun:
    with portal.client() as client:
        result = sync_structure(
            current_session(), portal.structure.id, config=portal.config, client=client,
            now=portal.clock(),
        )  # fmt: skip
    assert result is not None and result.status == "ok", result and result.error
    return result


def sandbox_address(portal: Portal, siret: str) -> tuple[str | None, ...]:
    row = portal.server.app.sandbox.store.row("SELECT * FROM structures WHERE siret = ?", [siret])
    assert row is not None
    street, _, complement = (row["address"] or "").partition("\n")
    return street, complement or None, row["postal_code"], row["city"], "FR"


def addresses() -> dict[str, tuple[str | None, ...]]:
    recipients = current_session().scalars(select(Recipient)).all()
    return {
        r.siret: (r.address_line1, r.address_line2, r.postal_code, r.city, r.country)
        for r in recipients
    }


def test_each_recipient_gets_its_address_once_a_month(portal: Portal) -> None:
    sandbox = portal.server.app.sandbox
    run(portal)
    found = addresses()
    assert len(found) > 1
    assert found == {siret: sandbox_address(portal, siret) for siret in found}
    assert sandbox.calls[CONSULT_SUPPLIER_INVOICE] == sandbox.calls[CONSULT_STRUCTURE] == len(found)
    sandbox.tick(5)
    portal.clock.advance(dt.timedelta(minutes=2))
    run(portal)
    assert sandbox.calls[CONSULT_SUPPLIER_INVOICE] == len(found)


def test_a_recipient_checked_again_gets_its_address_at_the_next_run(portal: Portal) -> None:
    """Migration 0014 clears every directory check, so existing recipients are read again."""
    run(portal)
    session = current_session()
    session.execute(update(Recipient).values(address_line1=None, directory_checked_at=None))
    session.commit()
    some_id = next(iter(portal.portal_view()))
    portal.server.app.sandbox.set_status(some_id, "SUSPENDUE", "Pièce justificative manquante")
    portal.clock.advance(dt.timedelta(minutes=2))
    run(portal)
    invoice = session.scalars(select(Invoice).where(Invoice.portal_id == some_id)).one()
    session.refresh(invoice.recipient)
    assert invoice.recipient.address_line1 == sandbox_address(portal, invoice.recipient.siret)[0]


def test_an_invoice_the_portal_will_not_show_leaves_the_address_unknown(portal: Portal) -> None:
    @portal.server.app.before_request
    def refuse_consults() -> Response | None:
        if request.path == CONSULT_SUPPLIER_INVOICE:
            return Response('{"codeRetour": 20103, "libelle": "Facture introuvable."}', 400)
        return None

    run(portal)
    recipients = current_session().scalars(select(Recipient)).all()
    assert recipients and all(r.directory_checked_at for r in recipients)
    assert all(r.address_line1 is None and r.city is None for r in recipients)


def _late_invoice() -> Invoice:
    """An invoice of the sync that is unpaid past its due date."""
    late = select(Invoice).where(Invoice.paid_on.is_(None), Invoice.due_on < paris_today())
    found = current_session().scalars(late.order_by(Invoice.service_id.is_(None))).first()
    assert found is not None, "the sandbox's seed has no late invoice"
    return found


def test_the_letter_of_a_synced_invoice_is_addressed(portal: Portal, client: FlaskClient) -> None:
    run(portal)
    user = UserFactory()
    MembershipFactory(user=user, structure=portal.structure, role=Role.MAIN_MANAGER)
    current_session().commit()
    late = _late_invoice()
    letter = client.get(CLAIM.format(late.id), headers=auth_headers(client, user.email))
    assert letter.status_code == 200, letter.get_json()
    street, complement, postal_code, city, _ = sandbox_address(portal, late.recipient.siret)
    recipient_block = letter.get_data(as_text=True).split("\n\n")[1].splitlines()
    service = [f"Service : {late.service.name}"] if late.service else []
    assert recipient_block == [
        late.recipient.name, *service, street, *([complement] if complement else []),
        f"{postal_code} {city}",
    ]  # fmt: skip


def test_a_synced_invoice_with_nothing_to_pay_is_never_late(
    portal: Portal, client: FlaskClient
) -> None:
    """The sandbox's already-paid invoices come with 0.00 to pay (the search does not say
    their billing framework): no due date, no letter."""
    run(portal)
    user = UserFactory()
    MembershipFactory(user=user, structure=portal.structure, role=Role.MAIN_MANAGER)
    current_session().commit()
    zero = select(Invoice).where(Invoice.amount_to_pay == 0, Invoice.type != "AVOIR")
    nothing = current_session().scalars(zero).all()
    assert nothing, "the sandbox's seed has no invoice with nothing to pay"
    assert all(i.due_on is None and i.paid_on is None for i in nothing)
    refused = client.get(CLAIM.format(nothing[0].id), headers=auth_headers(client, user.email))
    assert refused.status_code == 409
    assert "Le montant à payer de cette facture est nul" in refused.get_json()["detail"]
