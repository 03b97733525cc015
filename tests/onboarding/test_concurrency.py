"""The same structure added at the same moment: one structure, one main manager, nothing
duplicated (PostgreSQL: one connection per person, all released at once)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backend.accounts.models import Membership, Role, Structure, User
from backend.db import db
from backend.onboarding import service
from backend.onboarding.models import JoinRequest, JoinState
from backend.onboarding.proof import prove
from backend.sync.models import PortalAccount, SyncState
from tests.factories import UserFactory
from tests.onboarding.conftest import Portal

T = TypeVar("T")
PEOPLE = 6


def _all_at_once(engine: Engine, people: list[int], work: Callable[[Session, int], T]) -> list[T]:
    """work(session, user id) for each person, in threads released together."""
    barrier = threading.Barrier(len(people))

    def run(user_id: int) -> T:
        with Session(engine) as session:
            barrier.wait()
            result = work(session, user_id)
            session.commit()
            return result

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return list(pool.map(run, people))


def _adder(portal: Portal) -> Callable[[Session, int], str]:
    account = portal.supplier(0)
    proven = prove(portal.config, account["siret"], account["login"], account["password"])
    credentials = service.Credentials(account["login"], account["password"], None)

    def add(session: Session, user_id: int) -> str:
        user = session.get(User, user_id)
        assert user is not None
        try:
            outcome = service.add_structure(
                session, user, proven, credentials, config=portal.config
            )
        except service.AlreadyMember:
            return "already-member"
        return outcome.kind

    return add


def _count(model: Any) -> int:
    db.session.commit()
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.postgres_only
def test_people_adding_the_same_structure_at_once_make_one_structure(
    app_ctx: Flask, portal: Portal
) -> None:
    people = [UserFactory().id for _ in range(PEOPLE)]
    engine = create_engine(db.engine.url, poolclass=NullPool)  # one connection per thread
    outcomes = _all_at_once(engine, people, _adder(portal))
    engine.dispose()

    assert sorted(outcomes) == ["created"] + ["requested"] * (PEOPLE - 1)
    founder = people[outcomes.index("created")]
    assert (_count(Structure), _count(PortalAccount), _count(SyncState)) == (1, 1, 1)
    [membership] = db.session.scalars(select(Membership)).all()
    assert (membership.user_id, membership.role) == (founder, Role.MAIN_MANAGER)
    requests = db.session.scalars(select(JoinRequest)).all()
    assert sorted(r.user_id for r in requests) == sorted(set(people) - {founder})
    assert {r.state for r in requests} == {JoinState.PENDING}


@pytest.mark.postgres_only
def test_one_person_adding_twice_at_once_gets_one_membership(
    app_ctx: Flask, portal: Portal
) -> None:
    person = UserFactory().id
    engine = create_engine(db.engine.url, poolclass=NullPool)
    outcomes = _all_at_once(engine, [person] * 4, _adder(portal))
    engine.dispose()

    assert sorted(outcomes) == ["already-member"] * 3 + ["created"]
    assert (_count(Structure), _count(Membership), _count(PortalAccount)) == (1, 1, 1)
    assert _count(JoinRequest) == 0


@pytest.mark.postgres_only
def test_one_person_asking_to_join_twice_at_once_files_one_request(
    app_ctx: Flask, portal: Portal
) -> None:
    adder = _adder(portal)
    founder = UserFactory().id
    with Session(db.engine) as session:
        assert adder(session, founder) == "created"
        session.commit()
    asker = UserFactory().id
    engine = create_engine(db.engine.url, poolclass=NullPool)
    outcomes = _all_at_once(engine, [asker] * 4, adder)
    engine.dispose()

    assert outcomes == ["requested"] * 4
    assert _count(JoinRequest) == 1 and _count(Membership) == 1
