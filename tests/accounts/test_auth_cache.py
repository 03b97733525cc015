"""The workers' authentication cache: zero queries when nothing changed, never stale after.

The PostgreSQL tests run a second application on the suite's database with AUTH_CACHE on:
its listener hears the triggers of migration 0008 whoever writes (the API, the service
layer, plain SQL from another connection).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, event, text, update

from backend.accounts.auth import AUTH_CACHE_EXTENSION, auth_cache
from backend.accounts.authcache import AuthCache
from backend.accounts.models import AuthSession, Membership, Role, Structure, User
from backend.accounts.scope import Grant, Scope
from backend.db import db
from tests.conftest import StatementCounter, sibling_app
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.helpers import login

# -- the cache's rules, without a database --------------------------------------------


def _scope(user_id: int, *versions: tuple[int, int]) -> Scope:
    return Scope(user_id, tuple(Grant(sid, Role.MANAGER, (), ver) for sid, ver in versions))


@pytest.fixture
def ready_cache(monkeypatch: pytest.MonkeyPatch) -> AuthCache:
    """A cache whose listener counts as connected: the rules below, in isolation."""
    cache = AuthCache("postgresql://unused@127.0.0.1:1/none")
    monkeypatch.setattr(cache, "_ensure_listening", lambda: None)
    cache._ready.set()
    return cache


@pytest.mark.nodb
def test_a_stored_session_is_found_with_the_newest_versions(ready_cache: AuthCache) -> None:
    ready_cache.store(ready_cache.begin(), 7, _scope(1, (10, 3), (11, 5)))
    ready_cache.apply("v:10:4")
    found = ready_cache.lookup(7, 1)
    assert found is not None
    assert [(g.structure_id, g.data_version) for g in found.grants] == [(10, 4), (11, 5)]
    assert ready_cache.lookup(7, 2) is None  # another user's claim on that session
    assert ready_cache.lookup(8, 1) is None


@pytest.mark.nodb
def test_an_older_read_never_lowers_a_notified_version(ready_cache: AuthCache) -> None:
    token = ready_cache.begin()
    ready_cache.apply("v:10:9")  # a change committed while the request read version 3
    ready_cache.store(token, 7, _scope(1, (10, 3)))
    found = ready_cache.lookup(7, 1)
    assert found is not None and found.grants[0].data_version == 9


@pytest.mark.nodb
def test_a_revocation_during_the_read_prevents_the_store(ready_cache: AuthCache) -> None:
    token = ready_cache.begin()
    ready_cache.apply("s:7")  # revoked after the request read the session as live
    ready_cache.store(token, 7, _scope(1, (10, 3)))
    assert ready_cache.lookup(7, 1) is None


@pytest.mark.nodb
def test_user_and_session_notifications_drop_entries(ready_cache: AuthCache) -> None:
    for session_id, user_id in ((1, 100), (2, 100), (3, 200)):
        ready_cache.store(ready_cache.begin(), session_id, _scope(user_id, (10, 1)))
    ready_cache.apply("u:100")
    assert ready_cache.lookup(1, 100) is None and ready_cache.lookup(2, 100) is None
    assert ready_cache.lookup(3, 200) is not None
    ready_cache.apply("s:3")
    assert ready_cache.lookup(3, 200) is None
    ready_cache.apply("nonsense")  # ignored, logged
    ready_cache.apply("v:x:1")


@pytest.mark.nodb
def test_entries_expire_and_the_cache_is_bounded(
    ready_cache: AuthCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready_cache.max_sessions = 2
    for session_id in (1, 2, 3):
        ready_cache.store(ready_cache.begin(), session_id, _scope(session_id, (10, 1)))
    assert ready_cache.lookup(1, 1) is None  # the oldest went first
    assert ready_cache.lookup(3, 3) is not None
    later = time.monotonic() + ready_cache.ttl + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert ready_cache.lookup(3, 3) is None


@pytest.mark.nodb
def test_nothing_is_answered_while_the_listener_is_not_listening(ready_cache: AuthCache) -> None:
    ready_cache.store(ready_cache.begin(), 7, _scope(1, (10, 3)))
    ready_cache._ready.clear()
    assert ready_cache.lookup(7, 1) is None
    ready_cache.store(ready_cache.begin(), 8, _scope(1, (10, 3)))
    ready_cache._ready.set()
    assert ready_cache.lookup(8, 1) is None


def test_sqlite_or_switched_off_means_no_cache(app: Flask, app_ctx: Flask) -> None:
    # The suite's application runs with AUTH_CACHE off (tests empty tables with TRUNCATE).
    assert auth_cache() is None


# -- the real thing, on PostgreSQL ----------------------------------------------------


@pytest.fixture
def cached_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL")
    with sibling_app(app, tmp_path, auth_cache=True) as cached:
        assert cached.extensions[AUTH_CACHE_EXTENSION] is not None  # on, and listening
        yield cached


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def _count_queries(flask_app: Flask) -> StatementCounter:
    counter = StatementCounter()
    with flask_app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    return counter


@pytest.fixture
def world(app_ctx: Flask) -> dict[str, object]:
    structure = StructureFactory()
    recipient = RecipientFactory()
    user = UserFactory()
    MembershipFactory(user=user, structure=structure, role=Role.MANAGER)
    history = [("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))]
    invoice = make_invoice(structure, recipient, history)
    db.session.commit()
    return {"structure": structure, "user": user, "invoice": invoice, "recipient": recipient}


def _signed_in(cached_app: Flask, world: dict[str, object]) -> tuple[FlaskClient, dict[str, str]]:
    """A client of the cached application and the world's user's bearer header."""
    client: FlaskClient = cached_app.test_client()
    user = world["user"]
    assert isinstance(user, User)
    return client, {"Authorization": f"Bearer {login(client, user.email)['access_token']}"}


@pytest.mark.postgres_only
def test_a_revalidation_runs_no_query_once_the_session_is_known(
    cached_app: Flask, world: dict[str, object]
) -> None:
    client, headers = _signed_in(cached_app, world)
    first = client.get("/api/v1/invoices", headers=headers)
    assert first.status_code == 200
    counter = _count_queries(cached_app)
    revalidate = {**headers, "If-None-Match": first.headers["ETag"]}
    again = client.get("/api/v1/invoices", headers=revalidate)
    assert again.status_code == 304
    assert counter.statements == []
    # A write never trusts the cache: it reads its session in its own transaction.
    client.post("/api/v1/notifications/read-all", headers=headers)
    assert counter.count > 0


@pytest.mark.postgres_only
def test_a_new_status_changes_the_etag_at_once(cached_app: Flask, world: dict[str, object]) -> None:
    client: FlaskClient = cached_app.test_client()
    user, structure, recipient = world["user"], world["structure"], world["recipient"]
    assert isinstance(user, User) and isinstance(structure, Structure)
    headers = {"Authorization": f"Bearer {login(client, user.email)['access_token']}"}
    etag = client.get("/api/v1/invoices", headers=headers).headers["ETag"]
    make_invoice(structure, recipient, [("DEPOSEE", at(3))])  # another process, in effect

    def sees_it() -> bool:
        response = client.get("/api/v1/invoices", headers={**headers, "If-None-Match": etag})
        return response.status_code == 200 and response.get_json()["total"] == 2

    assert _eventually(sees_it)


@pytest.mark.postgres_only
def test_logout_elsewhere_and_sql_revocation_end_access(
    cached_app: Flask, world: dict[str, object], database_url: str
) -> None:
    client: FlaskClient = cached_app.test_client()
    user = world["user"]
    assert isinstance(user, User)
    one = login(client, user.email)
    two = login(client, user.email)
    h1 = {"Authorization": f"Bearer {one['access_token']}"}
    h2 = {"Authorization": f"Bearer {two['access_token']}"}
    assert client.get("/api/v1/summary", headers=h1).status_code == 200
    assert client.get("/api/v1/summary", headers=h2).status_code == 200
    # Revoked through the suite's own application: another worker, as far as the cache knows.
    db.session.execute(update(AuthSession).where(AuthSession.id == 1).values(revoked_at=at(5)))
    db.session.commit()
    assert _eventually(lambda: client.get("/api/v1/summary", headers=h1).status_code == 401)
    assert client.get("/api/v1/summary", headers=h2).status_code == 200
    # Plain SQL from an unrelated connection is heard as well.
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE auth_sessions SET revoked_at = now() WHERE id = 2"))
    engine.dispose()
    assert _eventually(lambda: client.get("/api/v1/summary", headers=h2).status_code == 401)


@pytest.mark.postgres_only
def test_losing_a_membership_or_the_account_is_heard(
    cached_app: Flask, world: dict[str, object]
) -> None:
    client, headers = _signed_in(cached_app, world)
    user, invoice = world["user"], world["invoice"]
    assert isinstance(user, User)
    detail = f"/api/v1/invoices/{invoice.id}"  # type: ignore[attr-defined]
    assert client.get(detail, headers=headers).status_code == 200
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.commit()
    assert _eventually(lambda: client.get(detail, headers=headers).status_code == 404)
    db.session.execute(update(User).where(User.id == user.id).values(active=False))
    db.session.commit()
    assert _eventually(lambda: client.get(detail, headers=headers).status_code == 401)


@pytest.mark.postgres_only
def test_a_lost_listener_sends_every_request_to_the_database(
    cached_app: Flask, world: dict[str, object]
) -> None:
    client, headers = _signed_in(cached_app, world)
    assert client.get("/api/v1/summary", headers=headers).status_code == 200
    db.session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN relais_auth%' AND pid <> pg_backend_pid()"
            " AND datname = current_database()"
        )
    )
    db.session.commit()
    with cached_app.app_context():
        cache = cached_app.extensions[AUTH_CACHE_EXTENSION]
    assert _eventually(lambda: not cache.ready, 5)
    counter = _count_queries(cached_app)
    assert client.get("/api/v1/summary", headers=headers).status_code == 200
    assert counter.count > 0  # answered from the database while deaf
    assert cache.wait_ready(15)  # and it reconnects by itself, starting empty
