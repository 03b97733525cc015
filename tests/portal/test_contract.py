"""Recorded answers, in every documented shape, replayed through the real client over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from backend.portal import PortalClient, RetryPolicy, TechnicalAccount
from backend.portal.endpoints import INVOICE_HISTORY, SEARCH_SUPPLIER_INVOICES
from backend.portal.wire import InvoiceSummary, UnreadableInvoice
from tests.portal.replay import ReplayPortal, recorded

pytestmark = pytest.mark.nodb


@pytest.fixture
def replay() -> Iterator[ReplayPortal]:
    with ReplayPortal() as server:
        yield server


@pytest.fixture
def client(replay: ReplayPortal) -> Iterator[PortalClient]:
    retry = RetryPolicy(attempts=1, initial_wait=0, max_wait=0, jitter=0, sleep=lambda s: None)
    account = TechnicalAccount("TECH_73282932000074@cpro.fr", "secret")
    with PortalClient(replay.environment, "id", "secret", account=account, retry=retry) as client:
        yield client


def _walk(client: PortalClient, per_page: int = 2) -> list[InvoiceSummary | UnreadableInvoice]:
    since = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    until = dt.datetime(2025, 7, 1, 12, 30, tzinfo=dt.UTC)
    return list(client.iter_supplier_invoices(changed_from=since, changed_to=until,
                                              per_page=per_page))  # fmt: skip


def test_pastell_shape_iso_milliseconds_and_paging_at_the_top(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_pastell_p1"),
                 recorded("search_pastell_p2"))  # fmt: skip
    found = _walk(client)
    assert [(i.portal_id, i.status_changed_at) for i in found] == [  # type: ignore[union-attr]
        (101, dt.datetime(2025, 3, 3, 14, 45, 39, 674000, tzinfo=dt.UTC)),
        (102, dt.datetime(2025, 3, 25, 8, 12, 5, 120000, tzinfo=dt.UTC)),
        (103, dt.datetime(2025, 5, 10, 6, 0, tzinfo=dt.UTC)),
    ]
    filters = replay.bodies(SEARCH_SUPPLIER_INVOICES)[0]
    assert filters["periodeDateHeureEtatCourantDu"] == "2025-03-01T01:00:00+01:00"
    assert filters["periodeDateHeureEtatCourantAu"] == "2025-07-01T14:30:00+02:00"
    assert [b["rechercheFactureParFournisseur"]["pageResultatDemandee"]
            for b in replay.bodies(SEARCH_SUPPLIER_INVOICES)] == [1, 2]  # fmt: skip


def test_go_choruspro_shape_paging_in_parametres_retour(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_go_choruspro"))
    found = _walk(client, per_page=100)
    assert [i.portal_id for i in found] == [201, 202]
    assert isinstance(found[1], InvoiceSummary)
    assert found[1].deposit_date == dt.date(2023, 1, 2)  # a date sent as a date-time
    assert len(replay.bodies(SEARCH_SUPPLIER_INVOICES)) == 1


def test_null_paging_walks_on_until_a_short_page(
    replay: ReplayPortal, client: PortalClient
) -> None:
    """The portal's own pages show `pages: null`: a walk must not stop after page 1."""
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_code_par_defaut_p1"),
                 recorded("search_code_par_defaut_p2"))  # fmt: skip
    assert [i.portal_id for i in _walk(client)] == [301, 302, 303]
    assert len(replay.bodies(SEARCH_SUPPLIER_INVOICES)) == 2


def test_null_paging_ends_on_an_empty_answer(replay: ReplayPortal, client: PortalClient) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_code_par_defaut_p1"),
                 recorded("search_no_result"))  # fmt: skip
    assert [i.portal_id for i in _walk(client)] == [301, 302]


def test_no_result_is_an_empty_page_not_an_error(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_no_result"))
    assert _walk(client) == []
    page = client.search_supplier_invoices()
    assert page.invoices == [] and page.total == 0


def test_a_portal_that_ignores_the_page_asked_fails_the_walk(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_code_par_defaut_p1"))  # forever
    with pytest.raises(Exception, match="même page"):
        _walk(client)


def test_an_unreadable_result_comes_aside_and_the_others_arrive(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(SEARCH_SUPPLIER_INVOICES, recorded("search_one_unreadable"))
    bad, good = _walk(client, per_page=100)
    assert isinstance(bad, UnreadableInvoice) and bad.portal_id == 401
    assert "dateHeureEtatCourant" in bad.reason
    assert isinstance(good, InvoiceSummary) and good.portal_id == 402


def test_history_in_minutes_is_paris_time(replay: ReplayPortal, client: PortalClient) -> None:
    replay.queue(INVOICE_HISTORY, recorded("history_minutes"))
    history = client.invoice_history(101)
    assert [(e.code, e.occurred_at) for e in history.events] == [
        ("DEPOSEE", dt.datetime(2025, 3, 3, 14, 43, tzinfo=dt.UTC)),
        ("EN_COURS_ACHEMINEMENT", dt.datetime(2025, 3, 3, 14, 44, tzinfo=dt.UTC)),
        ("MISE_A_DISPOSITION", dt.datetime(2025, 3, 3, 14, 45, tzinfo=dt.UTC)),
    ]
    asked = replay.bodies(INVOICE_HISTORY)[0]
    assert asked["idFacture"] == 101 and asked["nbResultatsMaximum"] == 50
    assert asked["paramRechercheHistoStatuts"]["pageResultatDemandeeListeHistoStatut"] == 1


def test_a_paged_history_is_walked_to_its_last_page(
    replay: ReplayPortal, client: PortalClient
) -> None:
    replay.queue(INVOICE_HISTORY, recorded("history_paged_p1"), recorded("history_paged_p2"))
    history = client.invoice_history(102)
    assert [e.code for e in history.events] == [
        "DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "SUSPENDUE",
    ]  # fmt: skip
    assert history.events[-1].comment == "Bon de livraison manquant"
    pages = [b["paramRechercheHistoStatuts"]["pageResultatDemandeeListeHistoStatut"]
             for b in replay.bodies(INVOICE_HISTORY)]  # fmt: skip
    assert pages == [1, 2]
