"""The sandbox's invoices move along realistic lifecycles; the client sees every twist."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import httpx
import pytest

from backend.portal import InvoiceHistory, PortalClient
from backend.portal.endpoints import SEARCH_SUPPLIER_INVOICES
from backend.portal.errors import PortalResultsUnstableError
from backend.portal.sandbox import ManualClock, SandboxServer, create_sandbox_app
from backend.portal.sandbox.lifecycle import FORWARD, UNKNOWN_CODE
from backend.portal.sandbox.store import to_text
from backend.siret import is_valid_siret
from tests.portal.conftest import START, account

pytestmark = pytest.mark.nodb

MakeClient = Callable[..., PortalClient]
PROCESSING = set(FORWARD[3:]) | {"REJETEE", "A_RECYCLER", UNKNOWN_CODE}


def follows(codes: list[str], first: str, then: set[str]) -> bool:
    return any(a == first and b in then for a, b in itertools.pairwise(codes))


@pytest.fixture
def histories(
    make_server: Callable[..., SandboxServer], make_client: MakeClient, clock: ManualClock
) -> list[list[str]]:
    """Every status sequence of the demo data set after 45 more days, read by the client."""
    server = make_server(invoices=300)
    clock.advance(dt.timedelta(days=45))
    server.app.sandbox.advance()
    found: list[InvoiceHistory] = []
    for index in range(3):
        technical = account(server, index)
        # The second supplier's password expires within 12 days: renewed, as people do.
        server.app.sandbox.set_password_expiry(technical.login, dt.date(2027, 6, 30))
        client = make_client(server, account=technical)
        found += [client.invoice_history(i.portal_id) for i in client.iter_supplier_invoices()]
    assert len(found) == 300
    return [[event.code for event in history.events] for history in found]


def test_demo_data_set_is_realistic(server: SandboxServer) -> None:
    store = server.app.sandbox.store
    sirets = [row[0] for row in store.rows("SELECT siret FROM structures")]
    # 3 suppliers, 6 recipients, and the 3 accounts of onboarding's cases.
    assert len(sirets) == 12 and all(is_valid_siret(s) for s in sirets)
    kinds = {tuple(r) for r in store.rows("SELECT DISTINCT type, framework FROM invoices")}
    assert {k[0] for k in kinds} == {"FACTURE", "AVOIR", "ACOMPTE"}
    assert {k[1] for k in kinds} == {"A1", "A2", "A9", "A12"}
    comments = [r[0] for r in store.rows("SELECT comment FROM history WHERE code = 'REJETEE'")]
    assert comments and all(comment for comment in comments)


def test_lifecycles_recycle_suspend_reject_pay_and_go_out_of_order(
    histories: list[list[str]],
) -> None:
    assert any(follows(c, "A_RECYCLER", {"MISE_A_DISPOSITION"}) for c in histories)
    assert any(follows(c, "SUSPENDUE", {"COMPLETEE"}) for c in histories)
    assert any(follows(c, "COMPLETEE", PROCESSING) for c in histories)  # processing resumes
    rejected = [c for c in histories if "REJETEE" in c]
    assert rejected and all(c[-1] == "REJETEE" for c in rejected)  # a dead end
    assert sum("MISE_EN_PAIEMENT" in c for c in histories) > 50
    assert any(follows(c, "MISE_EN_PAIEMENT", {"MANDATEE"}) for c in histories)
    assert any(UNKNOWN_CODE in c for c in histories)
    assert all(c[0] in ("DEPOSEE", "BROUILLON") for c in histories)


def test_a_search_from_the_last_sync_finds_exactly_what_moved(
    server: SandboxServer, client: PortalClient, clock: ManualClock
) -> None:
    last_sync = clock()
    clock.advance(dt.timedelta(days=3))
    changes = server.app.sandbox.advance()
    moved = {c.invoice_id for c in changes if c.invoice_id in _ids_of(server, 1)}
    found = {i.portal_id for i in client.iter_supplier_invoices(changed_from=last_sync)}
    assert moved and found == moved


def test_same_seed_same_story(clock: ManualClock) -> None:
    def story(seed: int) -> list[tuple]:
        app = create_sandbox_app(None, seed=seed, clock=clock, invoices=40)
        app.sandbox.advance(START + dt.timedelta(days=20))
        app.sandbox.tick(5)
        return [tuple(r) for r in app.sandbox.store.rows("SELECT * FROM history ORDER BY id")]

    assert story(3) == story(3)
    assert story(3) != story(4)


def test_demo_mode_moves_invoices_in_the_background(clock: ManualClock) -> None:
    app = create_sandbox_app(None, clock=clock, invoices=40, demo=True, demo_interval=0.02)
    try:
        before = app.sandbox.store.row("SELECT count(*) FROM history")[0]
        deadline = dt.datetime.now() + dt.timedelta(seconds=3)
        while app.sandbox.store.row("SELECT count(*) FROM history")[0] == before:
            assert dt.datetime.now() < deadline
    finally:
        app.sandbox.stop_demo()


def test_pages_changing_mid_walk_are_walked_again(
    make_server: Callable[..., SandboxServer], make_client: MakeClient
) -> None:
    server = make_server(invoices=300)
    client = make_client(server)
    expected = {i.portal_id for i in client.iter_supplier_invoices(per_page=10)}
    server.app.sandbox.faults.change_pages_next(1)
    calls_before = server.app.sandbox.calls[SEARCH_SUPPLIER_INVOICES]
    walked = [i.portal_id for i in client.iter_supplier_invoices(per_page=10)]
    assert set(walked) == expected and len(walked) == len(expected)
    # Pages 1 and 2 (whose count moved: the walk stops there), then the ten pages again.
    assert server.app.sandbox.calls[SEARCH_SUPPLIER_INVOICES] - calls_before == 12


def test_pages_that_never_stop_changing_fail_the_walk(
    make_server: Callable[..., SandboxServer], make_client: MakeClient
) -> None:
    server = make_server(invoices=60)
    client = make_client(server)
    server.app.sandbox.faults.change_pages_next(100)
    with pytest.raises(PortalResultsUnstableError, match="rien n'est perdu"):
        list(client.iter_supplier_invoices(per_page=10, max_restarts=2))


def test_a_naive_page_walk_misses_an_invoice_when_pages_change(
    make_server: Callable[..., SandboxServer], make_client: MakeClient
) -> None:
    """Why iter_supplier_invoices pins the window's end: without it one invoice slips by."""
    server = make_server(invoices=300)
    client = make_client(server)
    expected = _ids_of(server, 1)
    server.app.sandbox.faults.change_pages_next(1)
    seen: set[int] = set()
    page_no, pages = 1, 1
    while page_no <= pages:
        page = client.search_supplier_invoices(page=page_no, per_page=10)
        seen |= {i.portal_id for i in page.invoices}
        page_no, pages = page_no + 1, page.pages
    assert len(expected - seen) == 1


def test_admin_endpoints_drive_time_from_another_process(
    server: SandboxServer, clock: ManualClock
) -> None:
    with httpx.Client(base_url=server.url) as admin:
        later = (clock() + dt.timedelta(days=5)).isoformat()
        moved = admin.post("/_sandbox/advance", json={"now": later}).json()["changes"]
        assert moved and {"invoice_id", "code", "at", "comment"} <= set(moved[0])
        assert len(admin.post("/_sandbox/tick", json={"count": 2}).json()["changes"]) <= 2
        target = moved[0]["invoice_id"]
        admin.post(f"/_sandbox/invoices/{target}/status", json={"code": "SUSPENDUE"})
        status = server.app.sandbox.store.row("SELECT status FROM invoices WHERE id = ?", [target])
        assert status[0] == "SUSPENDUE"
        assert len(admin.get("/_sandbox/accounts").json()["accounts"]) == 3


def _ids_of(server: SandboxServer, supplier_id: int) -> set[int]:
    rows = server.app.sandbox.store.rows(
        "SELECT id FROM invoices WHERE supplier_id = ?", [supplier_id]
    )
    return {int(r[0]) for r in rows}


def test_seeded_history_can_stop_before_now_and_ticks_can_be_stamped(
    clock: ManualClock,
) -> None:
    """What the sync benchmark relies on: a quiet seeded past, then changes at a chosen time."""
    until = clock() - dt.timedelta(minutes=10)
    app = create_sandbox_app(None, clock=clock, invoices=60, seeded_until=until)
    store = app.sandbox.store
    assert store.row("SELECT max(at) FROM history")[0] <= to_text(until)
    at = clock() - dt.timedelta(minutes=3)
    with SandboxServer(app) as server, httpx.Client(base_url=server.url) as admin:
        moved = admin.post("/_sandbox/tick", json={"count": 5, "at": at.isoformat()}).json()
    assert 0 < len(moved["changes"]) <= 5
    stamped = store.rows("SELECT invoice_id, at FROM history WHERE at > ?", [to_text(until)])
    assert {(c["invoice_id"], to_text(at)) for c in moved["changes"]} == {
        (r[0], r[1]) for r in stamped
    }
