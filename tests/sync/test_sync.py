"""The portal sync, against the loopback sandbox: complete, incremental, resumable, safe."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from backend.accounts.models import Recipient, Role
from backend.db import current_session, db
from backend.invoices.models import Invoice, StatusChange
from backend.portal.endpoints import CONSULT_STRUCTURE, INVOICE_HISTORY, SEARCH_SUPPLIER_INVOICES
from backend.sync import service as sync_service
from backend.sync import walk as sync_walk
from backend.sync.jobs import warn_expiring_passwords
from backend.sync.models import PortalAccount, SyncRun, SyncState
from backend.sync.service import claim, sync_structure
from tests.conftest import StatementCounter
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import auth_headers
from tests.sync.conftest import Portal


def relais_view(structure_id: int) -> dict[int, list[tuple[str, dt.datetime]]]:
    """Every invoice of the structure and its recorded history, in Relais."""
    rows = (
        current_session()
        .execute(
            select(Invoice.portal_id, StatusChange.code, StatusChange.occurred_at)
            .join(StatusChange, StatusChange.invoice_id == Invoice.id)
            .where(Invoice.structure_id == structure_id)
            .order_by(Invoice.portal_id, StatusChange.occurred_at, StatusChange.id)
        )
        .all()
    )
    view: dict[int, list[tuple[str, dt.datetime]]] = {}
    for portal_id, code, occurred_at in rows:
        view.setdefault(portal_id, []).append((code, occurred_at))
    return by_time(view)


def by_time(
    view: dict[int, list[tuple[str, dt.datetime]]],
) -> dict[int, list[tuple[str, dt.datetime]]]:
    """Histories in time order (then code), duplicates kept so they would show."""
    return {k: sorted(v, key=lambda step: (step[1], step[0])) for k, v in view.items()}


def run(portal: Portal, **kwargs) -> SyncRun:  # type: ignore[no-untyped-def]
    with portal.client() as client:
        result = sync_structure(
            current_session(), portal.structure.id, config=portal.config, client=client,
            now=portal.clock(), **kwargs,
        )  # fmt: skip
    assert result is not None
    return result


@pytest.mark.parametrize("portal", ["current", "legacy"], indirect=True)
def test_first_sync_brings_every_invoice_with_its_history(portal: Portal) -> None:
    result = run(portal)
    expected = portal.portal_view()
    assert result.status == "ok" and result.invoices_seen == len(expected) > 10
    assert relais_view(portal.structure.id) == by_time(expected)
    state = current_session().get(SyncState, portal.structure.id)
    assert state.watermark is not None and state.last_success_at is not None
    invoice = current_session().scalars(select(Invoice)).first()
    assert invoice.recipient.name and invoice.amount_incl_tax is not None


@pytest.mark.parametrize("portal", ["current", "legacy"], indirect=True)
def test_next_sync_asks_only_for_what_changed(portal: Portal) -> None:
    run(portal)
    portal.clock.advance(dt.timedelta(minutes=3))
    quiet = run(portal)
    assert (quiet.invoices_seen, quiet.changes) == (0, 0)
    some_id = next(iter(portal.portal_view()))
    portal.server.app.sandbox.set_status(some_id, "SUSPENDUE", "Pièce justificative manquante")
    portal.clock.advance(dt.timedelta(minutes=2))
    moved = run(portal)
    assert moved.invoices_seen == 1 and moved.changes == 1
    invoice = current_session().scalar(select(Invoice).where(Invoice.portal_id == some_id))
    assert invoice.status_code == "SUSPENDUE"
    assert invoice.status_comment == "Pièce justificative manquante"


def test_out_of_order_and_unknown_statuses(portal: Portal) -> None:
    run(portal)
    first, second = list(portal.portal_view())[:2]
    sandbox = portal.server.app.sandbox
    sandbox.set_status(first, "MISE_EN_PAIEMENT")
    portal.clock.advance(dt.timedelta(minutes=1))
    sandbox.set_status(first, "MANDATEE")  # a step stamped after the payment
    sandbox.set_status(second, "STATUT_TOUT_NEUF", "Nouveau circuit de validation")
    portal.clock.advance(dt.timedelta(minutes=2))
    run(portal)
    codes = {
        i.portal_id: i.status_code
        for i in current_session().scalars(
            select(Invoice).where(Invoice.portal_id.in_([first, second]))
        )
    }
    assert codes == {first: "MANDATEE", second: "STATUT_TOUT_NEUF"}
    assert relais_view(portal.structure.id) == by_time(portal.portal_view())


def test_a_failed_sync_says_why_and_keeps_its_watermark(
    portal: Portal, client: FlaskClient
) -> None:
    run(portal)
    watermark = current_session().get(SyncState, portal.structure.id).watermark
    portal.server.app.sandbox.expire_password(portal.login)
    portal.clock.advance(dt.timedelta(minutes=2))
    failed = run(portal)
    assert failed.status == "failed" and "expiré" in (failed.error or "")
    state = current_session().get(SyncState, portal.structure.id)
    assert state.watermark == watermark and state.consecutive_failures == 1
    assert state.next_sync_at > portal.clock()
    manager, simple, stranger = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(user=manager, structure=portal.structure, role=Role.MANAGER)
    MembershipFactory(user=simple, structure=portal.structure, role=Role.USER)
    url = f"/api/v1/structures/{portal.structure.id}/sync"
    body = client.get(url, headers=auth_headers(client, manager.email)).get_json()
    assert body["message"].startswith("La dernière synchronisation a échoué le")
    assert "expiré" in body["last_error"]
    assert [r["status"] for r in body["recent_runs"]] == ["failed", "ok"]
    assert client.get(url, headers=auth_headers(client, simple.email)).status_code == 403
    assert client.get(url, headers=auth_headers(client, stranger.email)).status_code == 404


def test_results_moving_under_every_walk_fail_the_run_and_keep_the_watermark(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_walk, "PAGE_SIZE", 10)  # 45 invoices: five pages
    portal.server.app.sandbox.faults.change_pages_next(1000)
    failed = run(portal)
    assert failed.status == "failed" and "changé pendant leur lecture" in (failed.error or "")
    assert current_session().get(SyncState, portal.structure.id).watermark is None
    portal.server.app.sandbox.faults.reset()
    portal.clock.advance(dt.timedelta(minutes=30))
    assert run(portal).status == "ok"
    assert relais_view(portal.structure.id) == by_time(portal.portal_view())


def test_a_second_run_waits_for_the_first(portal: Portal) -> None:
    now = portal.clock()
    assert claim(current_session(), portal.structure.id, "first", now)
    with portal.client() as client:
        skipped = sync_structure(
            current_session(), portal.structure.id, config=portal.config, client=client, now=now
        )
    assert skipped is None
    later = now + dt.timedelta(minutes=3)  # the first run died: its lease ran out
    assert claim(current_session(), portal.structure.id, "second", later)


def test_expiring_password_is_warned_once_a_day(portal: Portal, app_ctx: Flask, caplog) -> None:  # type: ignore[no-untyped-def]
    account = current_session().get(PortalAccount, portal.structure.id)
    account.password_expires_on = dt.date.today() + dt.timedelta(days=10)
    current_session().commit()
    now = dt.datetime.now(dt.UTC)
    warn_expiring_passwords(current_session(), now)
    warn_expiring_passwords(current_session(), now)
    assert sum("expires in" in r.getMessage() for r in caplog.records) == 1
    assert current_session().get(PortalAccount, portal.structure.id).expiry_warned_on is not None


def test_a_sync_killed_mid_run_loses_nothing_and_duplicates_nothing(
    portal: Portal, database_url: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    portal.server.app.sandbox.faults.slow_answer(0.08)  # each call slow: a run lasts seconds
    env = {
        **os.environ, "DATABASE_URL": database_url, "RELAIS_INSTANCE": str(tmp_path),
        "PORTAL_BASE_URL": portal.server.url,
        "CREDENTIALS_KEY": portal.config.credentials_key,
    }  # fmt: skip
    db.session.commit()
    child = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "sync", "run", "--siret", portal.structure.siret],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _recorded(portal) < 5:
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    partial = _recorded(portal)
    assert 0 < partial < len(portal.portal_view()), "the kill should land mid-run"
    portal.server.app.sandbox.faults.reset()
    # The killed run's lease runs out; the next run resumes from the same watermark.
    portal.clock.advance(dt.timedelta(minutes=10))
    result = run(portal)
    assert result.status == "ok"
    assert relais_view(portal.structure.id) == by_time(portal.portal_view())


def _recorded(portal: Portal) -> int:
    query = select(Invoice.id).where(Invoice.structure_id == portal.structure.id)
    count = len(current_session().scalars(query).all())
    db.session.commit()  # never hold a transaction while the child process writes
    return count


@pytest.mark.postgres_only
def test_two_overlapping_syncs_leave_the_history_of_one(portal: Portal, app: Flask) -> None:
    portal.server.app.sandbox.faults.slow_answer(0.02)
    errors: list[BaseException] = []

    def one_run() -> None:
        with app.app_context():
            try:
                with portal.client() as client:
                    sync_structure(
                        current_session(), portal.structure.id, config=portal.config,
                        client=client, now=portal.clock(), force=True,
                    )  # fmt: skip
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    db.session.commit()
    assert relais_view(portal.structure.id) == by_time(portal.portal_view())
    runs = current_session().scalars(select(SyncRun)).all()
    assert len(runs) == 2 and all(r.status == "ok" for r in runs)


def test_cli_register_run_and_status(portal: Portal, app: Flask) -> None:
    from flask.cli import ScriptInfo

    from backend.cli import main

    runner = app.test_cli_runner()
    info = ScriptInfo(create_app=lambda: app)
    siret = portal.structure.siret
    db.session.commit()
    registered = runner.invoke(
        main,
        ["sync", "register", "--siret", siret, "--login", portal.login,
         "--expires-on", "2030-01-31", "--interval", "120"],
        input=f"{portal.password}\n", obj=info,
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    assert "Compte technique enregistré" in registered.output
    status = runner.invoke(main, ["sync", "status", "--siret", siret], obj=info)
    assert "La première synchronisation est programmée." in status.output
    unknown = runner.invoke(main, ["sync", "run", "--siret", "00000000000000"], obj=info)
    assert unknown.exit_code != 0 and "Aucune structure" in unknown.output


def _transaction_probe(database_url: str) -> Callable[[], bool]:
    """True while another connection holds a transaction open on the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = url.database or ""

        def sqlite_busy() -> bool:
            # Relais opens every transaction outside web reads with BEGIN IMMEDIATE: an open
            # one holds the write lock, and ours cannot take it.
            conn = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                conn.close()

        return sqlite_busy
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def postgres_busy() -> bool:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            ).fetchone()
        return bool(row and row[0])

    return postgres_busy


def test_no_transaction_is_open_while_the_portal_answers(portal: Portal, database_url: str) -> None:
    """Searches, histories and directory look-ups all find Relais' database free."""
    busy = _transaction_probe(database_url)
    calls: list[tuple[str, bool]] = []

    @portal.server.app.before_request
    def look() -> None:
        if request.path.startswith("/cpro/"):
            calls.append((request.path, busy()))

    run(portal)
    some_id = next(iter(portal.portal_view()))
    portal.server.app.sandbox.set_status(some_id, "SUSPENDUE", "Pièce justificative manquante")
    portal.clock.advance(dt.timedelta(minutes=2))
    assert run(portal).changes == 1
    paths = {path for path, _ in calls}
    assert {SEARCH_SUPPLIER_INVOICES, INVOICE_HISTORY, CONSULT_STRUCTURE} <= paths
    assert [path for path, held in calls if held] == []


def test_the_sync_reads_and_writes_its_bookkeeping_per_page_not_per_invoice(
    portal: Portal, count_queries: StatementCounter
) -> None:
    result = run(portal)
    assert result.invoices_seen > 10
    statements = [" ".join(s.split()) for s in count_queries.statements]
    known = [s for s in statements if s.startswith("SELECT invoices.portal_id, invoices.status")]
    assert len(known) == 1  # one page
    bookkeeping = [s for s in statements if "sync_runs" in s or "sync_states" in s]
    # Claim, abandoned runs, state, run, end of run: a handful per run, whatever the number
    # of invoices.
    assert len(bookkeeping) <= 9, bookkeeping
    assert not any(s.startswith("SAVEPOINT") for s in statements)


def test_each_recipient_is_looked_up_in_the_directory_once_a_month(portal: Portal) -> None:
    sandbox = portal.server.app.sandbox
    run(portal)
    recipients = current_session().scalars(select(Recipient)).all()
    assert sandbox.calls[CONSULT_STRUCTURE] == len(recipients) > 1
    assert all(r.directory_checked_at and r.portal_structure_id for r in recipients)
    for invoice_id in list(portal.portal_view())[:5]:
        sandbox.set_status(invoice_id, "SUSPENDUE", "Pièce justificative manquante")
    portal.clock.advance(dt.timedelta(minutes=2))
    assert run(portal).changes == 5
    assert sandbox.calls[CONSULT_STRUCTURE] == len(recipients)


def test_a_run_whose_process_was_killed_ends_as_failed_at_the_next_run(portal: Portal) -> None:
    """A SIGKILL leaves a run open; its lease expires, and the next run closes it."""
    killed = SyncRun(
        structure_id=portal.structure.id, started_at=portal.clock() - dt.timedelta(minutes=10),
        invoices_seen=3, changes=1, errors=0,
    )  # fmt: skip
    current_session().add(killed)
    current_session().commit()
    assert run(portal).status == "ok"
    current_session().expire_all()
    closed = current_session().get(SyncRun, killed.id)
    assert closed is not None and closed.status == "failed" and closed.finished_at is not None
    assert closed.error == sync_service.ABANDONED
    open_runs = current_session().scalars(select(SyncRun).where(SyncRun.finished_at.is_(None)))
    assert open_runs.all() == []
