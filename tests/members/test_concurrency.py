"""PostgreSQL: an invitation accepted twice at once makes one member and one clear refusal;
with the workers' authentication cache on, a role change or a removal applies to the very
next request of the worker that made it, and to the others' once PostgreSQL tells them."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backend.accounts.auth import AUTH_CACHE_EXTENSION
from backend.accounts.models import Membership, Role, User
from backend.accounts.security import hash_password
from backend.db import db, utcnow
from backend.members import invitations
from tests.conftest import sibling_app
from tests.factories import RecipientFactory, at, make_invoice
from tests.helpers import login
from tests.members.conftest import STRONG, Team

pytestmark = pytest.mark.postgres_only
PEOPLE = 4


def _invite(team: Team, email: str) -> str:
    _, token = invitations.invite(
        db.session, actor_id=team.main.id, structure_id=team.structure.id, email=email,
        role=Role.MANAGER, service_ids=[], lifetime=dt.timedelta(days=1), now=utcnow(),
    )  # fmt: skip
    db.session.commit()
    return token


def _all_at_once(work: Callable[[Session], object], times: int = PEOPLE) -> list[object]:
    """The same work in `times` connections and transactions, released together."""
    engine = create_engine(db.engine.url, poolclass=NullPool)
    barrier = threading.Barrier(times)

    def run(_: int) -> object:
        with Session(engine) as session:
            barrier.wait()
            try:
                result = work(session)
                session.commit()
                return "joined" if result is not None else None
            except invitations.MembersError as exc:
                session.rollback()
                return exc

    try:
        with ThreadPoolExecutor(max_workers=times) as pool:
            return list(pool.map(run, range(times)))
    finally:
        engine.dispose()


def _count(model: type, *where: object) -> int:
    db.session.commit()
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_signing_up_from_one_invitation_at_once_makes_one_account(team: Team) -> None:
    token = _invite(team, "double@exemple.fr")
    password_hash = hash_password(STRONG)
    outcomes = _all_at_once(
        lambda s: invitations.sign_up(
            s, token=token, full_name="Double", password_hash=password_hash, now=utcnow()
        )
    )
    assert outcomes.count("joined") == 1
    refusals = [o for o in outcomes if o != "joined"]
    # Whoever came second is told plainly: the invitation has served.
    assert all(
        isinstance(o, invitations.InvitationRefused) and o.reason == "used" for o in refusals
    ), outcomes
    assert _count(User, User.email == "double@exemple.fr") == 1
    assert _count(Membership, Membership.structure_id == team.structure.id) == 4


def test_accepting_one_invitation_at_once_makes_one_membership(team: Team) -> None:
    token = _invite(team, team.other_main.email)
    user_id = team.other_main.id

    def accept(session: Session) -> object:
        user = session.get(User, user_id)
        assert user is not None
        return invitations.accept(session, token=token, user=user, now=utcnow())

    outcomes = _all_at_once(accept)
    assert outcomes.count("joined") == 1
    refusals = [o for o in outcomes if o != "joined"]
    assert all(isinstance(o, invitations.InvitationRefused) for o in refusals), outcomes
    assert {o.reason for o in refusals} == {"used"}  # type: ignore[union-attr]
    assert (
        _count(
            Membership,
            Membership.structure_id == team.structure.id,
            Membership.user_id == user_id,
        )
        == 1
    )


# -- the authentication cache ------------------------------------------------------------


@pytest.fixture
def cached(app: Flask, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """Two workers with the cache on, as the web server runs them."""
    with (
        sibling_app(app, tmp_path / "one", auth_cache=True) as one,
        sibling_app(app, tmp_path / "two", auth_cache=True) as two,
    ):
        assert one.extensions[AUTH_CACHE_EXTENSION] is not None
        yield one, two


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_a_change_applies_to_the_next_request_with_the_cache_on(
    cached: tuple[Flask, Flask], team: Team
) -> None:
    one, two = (flask_app.test_client() for flask_app in cached)
    make_invoice(team.structure, RecipientFactory(), [("DEPOSEE", at(1))])
    chloe = {"Authorization": f"Bearer {login(one, team.user.email)['access_token']}"}
    anne = {"Authorization": f"Bearer {login(one, team.main.email)['access_token']}"}
    sync = f"/api/v1/structures/{team.structure.id}/sync"
    for client in (one, two):  # both workers now remember Chloé as a user
        assert client.get(sync, headers=chloe).status_code == 403
        assert client.get("/api/v1/invoices", headers=chloe).get_json()["total"] == 1

    member = f"/api/v1/structures/{team.structure.id}/members/{team.user.id}"
    assert one.patch(member, json={"role": "manager"}, headers=anne).status_code == 200
    # The worker that made the change: at once. The other: when PostgreSQL tells it.
    assert one.get(sync, headers=chloe).status_code == 200
    assert _eventually(lambda: two.get(sync, headers=chloe).status_code == 200)

    assert one.delete(member, headers=anne).status_code == 204
    assert one.get("/api/v1/invoices", headers=chloe).get_json()["total"] == 0
    assert one.get(sync, headers=chloe).status_code == 404
    assert _eventually(lambda: two.get(sync, headers=chloe).status_code == 404)
