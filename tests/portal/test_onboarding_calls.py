"""What onboarding asks the portal: whose account it is, and every way the sandbox refuses it,
through the real client over HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from backend.portal import (
    ActiveStructure,
    PortalClient,
    PostalAddress,
    StructureNotConnectedError,
    TechnicalAccount,
    TechnicalAccountError,
    TechnicalPasswordExpiredError,
)
from backend.portal.endpoints import ACTIVE_SUPPLIER_STRUCTURES
from backend.portal.sandbox import SandboxServer, create_sandbox_app
from tests.portal.conftest import START


def _as(make_client: Callable[..., PortalClient], server: SandboxServer, row: dict) -> PortalClient:
    account = TechnicalAccount(str(row["login"]), str(row["password"]))
    return make_client(server, account=account, attempts=1)


def test_an_account_names_its_own_structure(
    make_client: Callable[..., PortalClient], server: SandboxServer
) -> None:
    for row in server.app.sandbox.accounts():
        [mine] = _as(make_client, server, row).active_supplier_structures()
        assert mine == ActiveStructure(
            int(row["structure_id"]), str(row["siret"]), str(row["name"])
        )
    client = _as(make_client, server, server.app.sandbox.accounts()[0])
    info = client.consult_structure(mine.portal_id)
    address = PostalAddress.from_wire(info.raw)
    assert address.city and address.postal_code and address.country == "FR"


def test_each_refusal_has_its_own_error(
    make_client: Callable[..., PortalClient], server: SandboxServer
) -> None:
    cases = server.app.sandbox.cases()
    assert set(cases) == {"not_connected", "expired", "unclaimed"}
    with pytest.raises(StructureNotConnectedError) as not_connected:
        _as(make_client, server, cases["not_connected"]).active_supplier_structures()
    assert "Raccordements EDI/API" in not_connected.value.message
    with pytest.raises(TechnicalPasswordExpiredError):
        _as(make_client, server, cases["expired"]).active_supplier_structures()
    wrong = server.app.sandbox.accounts()[0] | {"password": "pas-le-bon"}
    with pytest.raises(TechnicalAccountError) as refused:
        _as(make_client, server, wrong).active_supplier_structures()
    assert type(refused.value) is TechnicalAccountError
    assert server.app.sandbox.calls[ACTIVE_SUPPLIER_STRUCTURES] == 3


def test_the_cases_stay_out_of_the_demo_and_can_be_flipped_over_http(
    make_client: Callable[..., PortalClient], server: SandboxServer
) -> None:
    sandbox = server.app.sandbox
    case = sandbox.cases()["not_connected"]
    listed = {str(row["login"]) for row in sandbox.accounts()}
    assert len(listed) == 3 and case["login"] not in listed
    with httpx.Client(base_url=server.url) as admin:
        assert set(admin.get("/_sandbox/cases").json()["cases"]) == {
            "not_connected",
            "expired",
            "unclaimed",
        }
        assert admin.post(f"/_sandbox/structures/{case['siret']}/api-mode").is_success
        [mine] = _as(make_client, server, case).active_supplier_structures()
        assert mine.identifier == case["siret"]
        supplier = sandbox.accounts()[0]
        off = {"connected": False}
        assert admin.post(f"/_sandbox/structures/{supplier['siret']}/api-mode", json=off).is_success
        with pytest.raises(StructureNotConnectedError):
            _as(make_client, server, supplier).active_supplier_structures()
        assert admin.post("/_sandbox/structures/00000000000000/api-mode").status_code == 404
        renewed = {"password": "Neuf-2027!", "expires_on": "2027-12-31"}
        login = sandbox.cases()["expired"]["login"]
        assert admin.post(f"/_sandbox/accounts/{login}/password", json=renewed).is_success
    expired_no_more = sandbox.cases()["expired"]
    assert expired_no_more["password_expires_on"] == "2027-12-31"
    [mine] = _as(make_client, server, expired_no_more).active_supplier_structures()
    assert mine.identifier == expired_no_more["siret"]


def test_the_cases_are_seeded_once_and_do_not_move_the_demo_data() -> None:
    """The demo's suppliers and invoices are what they were before the cases existed."""
    first = create_sandbox_app(None, seed=7, clock=lambda: START, invoices=12)
    rows = first.sandbox.store.rows("SELECT siret FROM structures ORDER BY id")
    sirets = [r[0] for r in rows]
    assert len(sirets) == 3 + 6 + 3  # suppliers, recipients, then the three cases
    assert [a["siret"] for a in first.sandbox.accounts()] == sirets[:3]
    again = create_sandbox_app(None, seed=7, clock=lambda: START, invoices=12)
    assert [a["siret"] for a in again.sandbox.accounts()] == sirets[:3]
    assert again.sandbox.cases() == first.sandbox.cases()


def test_the_list_of_active_structures_is_read_tolerantly() -> None:
    body = {
        "listeStructures": [
            {"idStructureCPP": 12, "identifiant": " 12345678900011 ", "designationStructure": "X"},
            {"idStructureCPP": "13", "identifiant": "x"},  # not an id: skipped
            "junk",
            {"idStructureCPP": 14, "identifiantStructure": "98765432100019"},
        ]
    }
    assert ActiveStructure.list_from_wire(body) == [
        ActiveStructure(12, "12345678900011", "X"),
        ActiveStructure(14, "98765432100019", "98765432100019"),
    ]
    assert ActiveStructure.list_from_wire({}) == []
    address = PostalAddress.from_wire(
        {
            "adressePostaleDuSiege": {
                "adresse": "1 rue A\nBP 2",
                "codePostal": "35000",
                "ville": "Rennes",
                "pays": "fr",
            }
        }
    )
    assert address == PostalAddress("1 rue A", "BP 2", "35000", "Rennes", "FR")
    assert PostalAddress.from_wire({"adressePostaleDuSiege": None}) == PostalAddress()
