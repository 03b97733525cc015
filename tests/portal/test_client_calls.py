"""The client against the sandbox: token handling, every call, paging and the window filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from backend.portal import PortalBusinessError, PortalClient
from backend.portal.endpoints import SEARCH_SUPPLIER_INVOICES
from backend.portal.sandbox import ManualClock, SandboxServer
from backend.portal.sandbox.store import from_text
from tests.portal.conftest import account

pytestmark = pytest.mark.nodb


def supplier_rows(server: SandboxServer, supplier_id: int = 1) -> list:
    return server.app.sandbox.store.rows(
        "SELECT * FROM invoices WHERE supplier_id = ? ORDER BY id", [supplier_id]
    )


def test_token_is_cached_then_renewed_before_expiry(
    client: PortalClient, server: SandboxServer, clock: ManualClock
) -> None:
    client.search_supplier_invoices(per_page=1)
    client.search_supplier_invoices(per_page=1)
    assert server.app.sandbox.calls["token"] == 1
    clock.advance(dt.timedelta(seconds=3600 - 59))  # inside the 60 s margin
    client.search_supplier_invoices(per_page=1)
    assert server.app.sandbox.calls["token"] == 2


def test_token_refused_early_is_renewed_and_the_call_retried_once(
    client: PortalClient, server: SandboxServer
) -> None:
    client.search_supplier_invoices(per_page=1)
    server.app.sandbox.expire_tokens()
    page = client.search_supplier_invoices(per_page=1)
    assert page.total > 0
    assert server.app.sandbox.calls["token"] == 2
    assert server.app.sandbox.calls[SEARCH_SUPPLIER_INVOICES] == 3


def test_search_reads_typed_invoices(client: PortalClient, server: SandboxServer) -> None:
    page = client.search_supplier_invoices(per_page=5)
    assert page.page == 1 and page.per_page == 5 and len(page.invoices) == 5
    first = page.invoices[0]
    row = server.app.sandbox.store.row("SELECT * FROM invoices WHERE id = ?", [first.portal_id])
    assert first.number == row["number"] and first.status == row["status"]
    assert first.amount_incl_tax == Decimal(row["amount_ttc"])
    assert isinstance(first.amount_excl_tax, Decimal)
    assert first.status_changed_at == from_text(row["status_at"])  # ISO, to the second
    assert first.status_changed_at.tzinfo is dt.UTC
    assert len(first.recipient_siret) == 14 and first.recipient_name
    assert set(first.record_fields()) >= {"portal_id", "amount_to_pay", "engagement_number"}


def test_each_account_sees_only_its_own_structure(
    make_client: Callable[..., PortalClient], server: SandboxServer
) -> None:
    second = make_client(server, account=account(server, 1))
    ids = {invoice.portal_id for invoice in second.iter_supplier_invoices(per_page=50)}
    assert ids == {row["id"] for row in supplier_rows(server, 2)}


def test_walks_every_page(make_client: Callable[..., PortalClient], make_server) -> None:
    server = make_server(invoices=300)
    client = make_client(server)
    invoices = list(client.iter_supplier_invoices(per_page=7))
    expected = [row["id"] for row in supplier_rows(server)]
    assert len(expected) == 100
    assert sorted(i.portal_id for i in invoices) == expected
    assert server.app.sandbox.calls[SEARCH_SUPPLIER_INVOICES] == 15  # ceil(100 / 7)


def test_window_filter_keeps_changes_between_from_and_to_minutes(
    client: PortalClient, server: SandboxServer
) -> None:
    since = dt.datetime(2026, 10, 1, 7, 30, tzinfo=dt.UTC)
    until = dt.datetime(2026, 10, 20, 16, 45, tzinfo=dt.UTC)
    found = client.iter_supplier_invoices(changed_from=since, changed_to=until, per_page=10)
    expected = {
        row["id"]
        for row in supplier_rows(server)
        if since <= from_text(row["status_at"]) < until + dt.timedelta(minutes=1)
    }
    assert expected and {invoice.portal_id for invoice in found} == expected


def test_status_filter(client: PortalClient, server: SandboxServer) -> None:
    wanted = ("MISE_EN_PAIEMENT", "REJETEE")
    found = list(client.iter_supplier_invoices(statuses=wanted))
    expected = {row["id"] for row in supplier_rows(server) if row["status"] in wanted}
    assert expected and {invoice.portal_id for invoice in found} == expected


def test_bad_input_gets_a_code_retour(client: PortalClient) -> None:
    with pytest.raises(PortalBusinessError) as caught:
        client.search_supplier_invoices(per_page=0)
    assert caught.value.code == 20103 and caught.value.http_status == 400
    assert "nbResultatsParPage" in caught.value.message


def test_history_lists_every_status_oldest_first(
    client: PortalClient, server: SandboxServer
) -> None:
    row = next(r for r in supplier_rows(server) if r["status"] == "MISE_EN_PAIEMENT")
    history = client.invoice_history(row["id"])
    assert history.portal_id == row["id"] and history.number == row["number"]
    codes = [event.code for event in history.events]
    assert codes[0] == "DEPOSEE" and "MISE_A_DISPOSITION" in codes
    assert history.current_status == codes[-1] == "MISE_EN_PAIEMENT"
    times = [event.occurred_at for event in history.events]
    assert times == sorted(times) and all(t.tzinfo is dt.UTC for t in times)


def test_history_of_another_structures_invoice_is_refused(
    client: PortalClient, server: SandboxServer
) -> None:
    other = supplier_rows(server, 2)[0]
    with pytest.raises(PortalBusinessError) as caught:
        client.invoice_history(other["id"])
    assert caught.value.code == 20104


def test_consult_structure_reads_the_directory_flags(
    client: PortalClient, server: SandboxServer
) -> None:
    store = server.app.sandbox.store
    commune = store.row("SELECT * FROM structures WHERE name = 'Commune de Saint-Malo'")
    info = client.consult_structure(commune["id"])
    assert info.identifier == commune["siret"] and info.name == "Commune de Saint-Malo"
    assert info.service_code_required and not info.engagement_required
    assert info.requirement == "service"
    chu = store.row("SELECT id FROM structures WHERE name LIKE 'Centre hospitalier%'")
    assert client.consult_structure(chu["id"]).requirement == "service_or_engagement"
    lycee = store.row("SELECT id FROM structures WHERE name = 'Lycée Chateaubriand'")
    assert client.consult_structure(lycee["id"]).payment_status_not_reported
    with pytest.raises(PortalBusinessError):
        client.consult_structure(999_999)


def test_consult_own_structure_tells_the_password_expiry(
    client: PortalClient, server: SandboxServer
) -> None:
    info = client.consult_structure(1)
    assert info.technical_password_expires_on == dt.date(2027, 5, 1)  # seeded: +180 days
