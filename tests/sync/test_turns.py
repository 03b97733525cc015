"""Fairness and lag: a long walk read a few pages per turn, and a structure waiting past two
intervals says so."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from flask.testing import FlaskClient

from backend.accounts.models import Role
from backend.db import current_session, utcnow
from backend.portal.endpoints import SEARCH_SUPPLIER_INVOICES
from backend.sync import walk as sync_walk
from backend.sync.models import SyncState
from backend.sync.service import sync_structure
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import auth_headers
from tests.sync.conftest import Portal
from tests.sync.test_sync import by_time, relais_view


def test_a_long_walk_is_read_a_page_per_turn_and_resumes_where_it_stopped(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_walk, "PAGE_SIZE", 5)
    config = dataclasses.replace(portal.config, sync_pages_per_turn=1)
    sandbox = portal.server.app.sandbox
    turns = []
    for _ in range(10):
        with portal.client() as client:
            run = sync_structure(
                current_session(), portal.structure.id, config=config, client=client,
                now=portal.clock(),
            )  # fmt: skip
        assert run is not None and run.status == "ok"
        state = current_session().get(SyncState, portal.structure.id)
        turns.append(state.resume_page)
        if state.resume_page is None:
            break
        assert state.next_sync_at == portal.clock(), "due again at once, behind the others"
        assert state.watermark is None, "the watermark moves only when the walk is done"
    assert turns == [2, 3, None]  # the supplier's 15 invoices, 5 a page
    assert sandbox.calls[SEARCH_SUPPLIER_INVOICES] == 3
    assert relais_view(portal.structure.id) == by_time(portal.portal_view())
    assert current_session().get(SyncState, portal.structure.id).watermark is not None


def test_a_structure_waiting_past_two_intervals_says_it_is_late(
    portal: Portal, client: FlaskClient
) -> None:
    manager = UserFactory()
    MembershipFactory(user=manager, structure=portal.structure, role=Role.MANAGER)
    state = current_session().get(SyncState, portal.structure.id)
    state.interval_seconds = 300
    state.next_sync_at = utcnow() - dt.timedelta(minutes=4)
    current_session().commit()
    url = f"/api/v1/structures/{portal.structure.id}/sync"
    body = client.get(url, headers=auth_headers(client, manager.email)).get_json()
    assert body["late_seconds"] is None, "one interval late is the queue, not a delay"
    state = current_session().get(SyncState, portal.structure.id)
    state.next_sync_at = utcnow() - dt.timedelta(minutes=11)
    current_session().commit()
    body = client.get(url, headers=auth_headers(client, manager.email)).get_json()
    assert body["late_seconds"] >= 660
    assert body["message"].startswith("La synchronisation a pris du retard : prévue le")
