"""The sync, end to end, on every documented answer shape replayed over HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from backend.accounts.models import Structure
from backend.db import current_session
from backend.invoices.models import Invoice
from backend.portal import PortalClient, RetryPolicy, TechnicalAccount
from backend.portal.endpoints import CONSULT_STRUCTURE, INVOICE_HISTORY, SEARCH_SUPPLIER_INVOICES
from backend.portal.wire import PARIS, parse_datetime
from backend.sync.accounts import register_account
from backend.sync.models import SyncRun, SyncState
from backend.sync.service import sync_structure
from tests.factories import StructureFactory
from tests.portal.replay import ReplayPortal, recorded

NOW = dt.datetime(2025, 7, 15, 12, 0, tzinfo=dt.UTC)
SHAPES = {
    "pastell": ["search_pastell_p1", "search_pastell_p2"],
    "go-choruspro": ["search_go_choruspro"],
    # Null paging and a page shorter than the sync's 100: the walk ends there (the client's
    # own tests walk a full page on to the next).
    "code-par-defaut": ["search_code_par_defaut_p1"],
    "no-result": ["search_no_result"],
}


@pytest.fixture
def replay() -> Iterator[ReplayPortal]:
    with ReplayPortal() as server:
        server.queue(CONSULT_STRUCTURE, recorded("structure_consult"))
        yield server


@pytest.fixture
def structure(app: Flask, app_ctx: Flask) -> Structure:
    structure = StructureFactory(siret="73282932000074")
    config = app.extensions["relais_config"]
    register_account(current_session(), structure, "TECH@cpro.fr", "secret", None, config=config)
    current_session().commit()
    return structure


def _history_like(searches: list[dict[str, Any]]) -> Any:
    """Histories in the recorded minute spelling, ending on each invoice's current status."""
    current = {
        row["identifiantFactureCPP"]: row for s in searches for row in s.get("listeFactures", [])
    }

    def build(body: dict[str, Any]) -> dict[str, Any]:
        row = current[body["idFacture"]]
        at = parse_datetime(row["dateHeureEtatCourant"])
        assert at is not None
        minute = "%Y-%m-%d %H:%M"
        steps = [("DEPOSEE", at - dt.timedelta(days=1)), (row["statut"], at)]
        return {
            "codeRetour": 0, "libelle": "GCU_MSG_01_000", "idFacture": row["identifiantFactureCPP"],
            "statutCourantCode": row["statut"],
            "historiquesDesStatuts": {"histoStatut": [
                {"histoStatutId": n, "histoStatutCode": code,
                 "histoStatutDatePassage": when.astimezone(PARIS).strftime(minute)}
                for n, (code, when) in enumerate(reversed(steps), 1)
            ]},
        }  # fmt: skip

    return build


def _sync(app: Flask, replay: ReplayPortal, structure: Structure) -> SyncRun:
    config = dataclasses.replace(app.extensions["relais_config"], portal_env="local")
    retry = RetryPolicy(attempts=1, initial_wait=0, max_wait=0, jitter=0, sleep=lambda s: None)
    account = TechnicalAccount("TECH@cpro.fr", "secret")
    with PortalClient(replay.environment, "id", "secret", account=account, retry=retry) as client:
        run = sync_structure(current_session(), structure.id, config=config, client=client, now=NOW)
    assert run is not None
    return run


@pytest.mark.parametrize("shape", SHAPES)
def test_the_sync_succeeds_on_every_documented_shape(
    app: Flask, replay: ReplayPortal, structure: Structure, shape: str
) -> None:
    searches = [recorded(name) for name in SHAPES[shape]]
    replay.queue(SEARCH_SUPPLIER_INVOICES, *searches)
    replay.answer_with(INVOICE_HISTORY, _history_like(searches))
    run = _sync(app, replay, structure)
    expected = {row["identifiantFactureCPP"]: row["statut"]
                for s in searches for row in s.get("listeFactures", [])}  # fmt: skip
    stored = {i.portal_id: i.status_code for i in current_session().scalars(select(Invoice))}
    assert (run.status, run.errors, run.invoices_seen) == ("ok", 0, len(expected))
    assert stored == expected
    state = current_session().get(SyncState, structure.id)
    assert state is not None and state.watermark == dt.datetime(2025, 7, 15, 11, 59, tzinfo=dt.UTC)


def test_an_unreadable_item_is_skipped_counted_and_read_again_next_time(
    app: Flask, replay: ReplayPortal, structure: Structure
) -> None:
    searches = [recorded("search_one_unreadable")]
    replay.queue(SEARCH_SUPPLIER_INVOICES, *searches)
    replay.answer_with(INVOICE_HISTORY, _history_like([recorded("search_pastell_p1"),
                                                       *searches]))  # fmt: skip
    run = _sync(app, replay, structure)
    assert (run.status, run.errors, run.invoices_seen) == ("partial", 1, 2)
    stored = [i.portal_id for i in current_session().scalars(select(Invoice))]
    assert stored == [402]
    state = current_session().get(SyncState, structure.id)
    # The skipped invoice's time is unknown: the next run reads the whole window again.
    assert state is not None and state.watermark is None and state.last_success_at is not None


def test_an_unreadable_history_holds_the_watermark_at_its_invoice(
    app: Flask, replay: ReplayPortal, structure: Structure
) -> None:
    searches = [recorded("search_pastell_p1"), recorded("search_pastell_p2")]
    replay.queue(SEARCH_SUPPLIER_INVOICES, *searches)
    build = _history_like(searches)

    def garbled(body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = build(body)
        if body["idFacture"] == 102:
            answer["historiquesDesStatuts"]["histoStatut"][0]["histoStatutDatePassage"] = "?"
        return answer

    replay.answer_with(INVOICE_HISTORY, garbled)
    run = _sync(app, replay, structure)
    assert (run.status, run.errors) == ("partial", 1)
    assert sorted(i.portal_id for i in current_session().scalars(select(Invoice))) == [101, 103]
    state = current_session().get(SyncState, structure.id)
    # 102 changed at 09:12:05 Paris time on 25 March: the next run reads again from 08:12 UTC.
    assert state is not None
    assert state.watermark == dt.datetime(2025, 3, 25, 8, 12, tzinfo=dt.UTC)
