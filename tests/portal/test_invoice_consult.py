"""The invoice consult (consulter/fournisseur): the recipient's names and postal address."""

from __future__ import annotations

import pytest

from backend.portal import PortalBusinessError, PortalClient, RetryPolicy, TechnicalAccount
from backend.portal.consult import InvoiceRecipient
from backend.portal.endpoints import CONSULT_SUPPLIER_INVOICE
from backend.portal.sandbox import SandboxServer
from tests.portal.replay import ReplayPortal, recorded

pytestmark = pytest.mark.nodb


def _invoice_to(server: SandboxServer, recipient: str, supplier_index: int = 0) -> dict:
    """An invoice of the account's supplier whose recipient's name is LIKE `recipient`."""
    supplier_id = server.app.sandbox.accounts()[supplier_index]["structure_id"]
    row = server.app.sandbox.store.row(
        "SELECT * FROM invoice_view WHERE supplier_id = ? AND recipient_name LIKE ? "
        "ORDER BY service_id IS NULL, id LIMIT 1",
        [supplier_id, recipient],
    )
    assert row is not None
    return dict(row)


def test_consult_reads_the_recipient_names_and_postal_address(
    client: PortalClient, server: SandboxServer
) -> None:
    invoice = _invoice_to(server, "Département%")
    found = client.consult_invoice(invoice["id"])
    assert found == InvoiceRecipient(
        name="Département d'Ille-et-Vilaine",
        service_name=invoice["service_name"],
        address_line1="1 avenue de la Préfecture",
        address_line2="CS 24218",
        postal_code="35000",
        city="Rennes",
        country="FR",
    )
    assert found.has_address


def test_a_recipient_without_complement_has_one_street_line(
    client: PortalClient, server: SandboxServer
) -> None:
    found = client.consult_invoice(_invoice_to(server, "Centre hospitalier%")["id"])
    assert (found.address_line1, found.address_line2) == ("2 avenue Foch", None)
    assert (found.postal_code, found.city) == ("29200", "Brest")


def test_an_invoice_of_another_supplier_is_refused(
    client: PortalClient, server: SandboxServer
) -> None:
    foreign = _invoice_to(server, "%", supplier_index=1)
    with pytest.raises(PortalBusinessError) as refused:
        client.consult_invoice(foreign["id"])
    assert refused.value.http_status == 400


def test_odd_values_are_read_tolerantly() -> None:
    assert InvoiceRecipient.from_wire({"codeRetour": 0}) == InvoiceRecipient()
    assert InvoiceRecipient.from_wire({"facture": {"destinataire": "?"}}) == InvoiceRecipient()
    found = InvoiceRecipient.from_wire({
        "facture": {"destinataire": {
            "libelleDestinataire": "  Mairie   de\nLorient ",
            "adresseDestinataireDetail": "2 boulevard " + "très " * 60 + "long",
            "adresseDestinataireComplement1": "Bâtiment B",
            "adresseDestinataireComplement2": "BP 30010",
            "adresseDestinataireCodePostal": 56100,  # a number: not read
            "adresseDestinataireVille": "",
            "adresseDestinataireCodePays": "fr",
            "libelleServiceExecutant": None,
        }}
    })  # fmt: skip
    assert found.name == "Mairie de Lorient"
    assert found.address_line1 is not None and len(found.address_line1) == 200
    assert found.address_line2 == "Bâtiment B, BP 30010"
    assert (found.postal_code, found.city, found.service_name) == (None, None, None)
    assert found.country == "FR" and found.has_address
    three_letters = {"facture": {"destinataire": {"adresseDestinataireCodePays": "FRA"}}}
    assert InvoiceRecipient.from_wire(three_letters).country is None
    assert not InvoiceRecipient.from_wire(three_letters).has_address


def test_the_recorded_shape_is_read_over_http() -> None:
    retry = RetryPolicy(attempts=1, initial_wait=0, max_wait=0, jitter=0, sleep=lambda s: None)
    account = TechnicalAccount("TECH_73282932000074@cpro.fr", "secret")
    with ReplayPortal() as replay:
        replay.queue(CONSULT_SUPPLIER_INVOICE, recorded("invoice_consult"))
        with PortalClient(replay.environment, "id", "secret", account=account, retry=retry) as c:
            found = c.consult_invoice(4813007)
    assert replay.bodies(CONSULT_SUPPLIER_INVOICE) == [
        {"identifiantFactureCPP": 4813007, "codeLangue": "FR"}
    ]
    assert found == InvoiceRecipient(
        name="COMMUNE DE VILLEURBANNE",
        service_name="Direction des finances",
        address_line1="Place Lazare Goujon",
        address_line2="Hôtel de ville, CS 60301",
        postal_code="69100",
        city="Villeurbanne",
        country="FR",
    )
