"""The members' invariant: a structure with members keeps a main manager; its last member's
departure erases it. The same rule for leaving, removing and changing roles, concurrent
changes included (PostgreSQL: one connection per person, released together)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from backend.accounts.models import Membership, Role, Structure
from backend.db import db
from backend.invoices.models import Invoice
from backend.members import service
from backend.onboarding.models import JoinRequest, JoinState
from backend.sync.models import PortalAccount, SyncState
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)


def _roles(structure_id: int) -> dict[int, Role]:
    db.session.commit()
    rows = db.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.structure_id == structure_id)
    )
    return {user_id: role for user_id, role in rows}


def _member(structure: Structure, role: Role) -> int:
    return int(MembershipFactory(structure=structure, role=role).user_id)


def test_a_member_leaves_and_the_others_stay(app_ctx: Flask) -> None:
    structure = StructureFactory()
    main, user = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.USER)
    departure = service.leave(db.session, user_id=user, structure_id=structure.id)
    db.session.commit()
    assert (departure.role, departure.erased) == (Role.USER, False)
    assert _roles(structure.id) == {main: Role.MAIN_MANAGER}


def test_the_only_main_manager_cannot_leave_others_behind(app_ctx: Flask) -> None:
    structure = StructureFactory()
    main, manager = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.MANAGER)
    with pytest.raises(service.LastMainManager) as refused:
        service.leave(db.session, user_id=main, structure_id=structure.id)
    db.session.rollback()
    assert "au moins un gestionnaire principal" in str(refused.value)
    assert _roles(structure.id) == {main: Role.MAIN_MANAGER, manager: Role.MANAGER}
    assert [s.id for s in service.handover_needed(db.session, main)] == [structure.id]
    # Once another main manager is named, the first may go.
    service.change(
        db.session, actor_id=main, structure_id=structure.id, user_id=manager,
        role=Role.MAIN_MANAGER,
    )  # fmt: skip
    db.session.commit()
    assert service.handover_needed(db.session, main) == []
    service.leave(db.session, user_id=main, structure_id=structure.id)
    db.session.commit()
    assert _roles(structure.id) == {manager: Role.MAIN_MANAGER}


def test_leaving_a_structure_one_does_not_belong_to_is_refused(app_ctx: Flask) -> None:
    structure, outsider = StructureFactory(), UserFactory()
    _member(structure, Role.MAIN_MANAGER)
    with pytest.raises(service.NotMember):
        service.leave(db.session, user_id=outsider.id, structure_id=structure.id)
    with pytest.raises(service.NotMember):
        service.leave(db.session, user_id=outsider.id, structure_id=structure.id + 999)


def test_the_last_member_leaving_erases_the_structure(app_ctx: Flask) -> None:
    structure, other = StructureFactory(), StructureFactory()
    main = _member(structure, Role.MAIN_MANAGER)
    _member(other, Role.MAIN_MANAGER)
    recipient = RecipientFactory()
    make_invoice(structure, recipient, [("DEPOSEE", at(1))])
    make_invoice(other, recipient, [("DEPOSEE", at(1))])
    db.session.add(PortalAccount(structure_id=structure.id, login="tech", password_encrypted=b"x"))
    db.session.add(SyncState(structure_id=structure.id, next_sync_at=at(2)))
    asker = UserFactory()
    db.session.add(
        JoinRequest(structure_id=structure.id, user_id=asker.id, state=JoinState.PENDING)
    )
    db.session.commit()
    structure_id, other_id = structure.id, other.id

    departure = service.leave(db.session, user_id=main, structure_id=structure_id)
    db.session.commit()

    assert departure.erased and departure.role == Role.MAIN_MANAGER
    assert db.session.get(Structure, structure_id) is None
    for model in (Invoice, PortalAccount, SyncState, JoinRequest, Membership):
        left = select(func.count()).select_from(model).where(model.structure_id == structure_id)
        assert db.session.scalar(left) == 0, model
    still = select(func.count()).select_from(Invoice).where(Invoice.structure_id == other_id)
    assert db.session.scalar(still) == 1


def test_a_change_may_not_leave_the_structure_without_main_manager(app_ctx: Flask) -> None:
    structure = StructureFactory()
    main, user = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.USER)
    with pytest.raises(service.LastMainManager):
        service.change(
            db.session, actor_id=main, structure_id=structure.id, user_id=main, role=Role.MANAGER
        )
    db.session.rollback()
    with pytest.raises(service.NotAllowed):
        service.change(
            db.session, actor_id=user, structure_id=structure.id, user_id=user,
            role=Role.MAIN_MANAGER,
        )  # fmt: skip
    db.session.rollback()
    assert _roles(structure.id) == {main: Role.MAIN_MANAGER, user: Role.USER}


def test_services_must_be_the_structures_own(app_ctx: Flask) -> None:
    structure = StructureFactory()
    main, user = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.USER)
    ours, theirs = ServiceFactory(), ServiceFactory()
    make_invoice(structure, ours.recipient, [("DEPOSEE", at(1))], service_code=ours.code)
    db.session.commit()
    assert [s.id for s in service.structure_services(db.session, structure.id)] == [ours.id]
    with pytest.raises(service.UnknownServices):
        service.change(
            db.session, actor_id=main, structure_id=structure.id, user_id=user,
            service_ids=[ours.id, theirs.id],
        )  # fmt: skip
    db.session.rollback()
    membership, _ = service.change(
        db.session, actor_id=main, structure_id=structure.id, user_id=user, service_ids=[ours.id]
    )
    db.session.commit()
    assert [s.id for s in membership.services] == [ours.id]


# -- at the same moment, on PostgreSQL -------------------------------------------------


def _together(engine_url: str, work: list[Callable[[Session], object]]) -> list[object]:
    """Each piece of work in its own connection and transaction, released together; an
    error is returned, not raised."""
    engine = create_engine(engine_url, poolclass=NullPool)
    barrier = threading.Barrier(len(work))

    def run(job: Callable[[Session], object]) -> object:
        with Session(engine) as session:
            barrier.wait()
            try:
                result = job(session)
                session.commit()
                return result
            except service.MembersError as exc:
                session.rollback()
                return exc

    try:
        with ThreadPoolExecutor(max_workers=len(work)) as pool:
            return list(pool.map(run, work))
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_two_main_managers_demoting_each_other_at_once_keep_one(app_ctx: Flask) -> None:
    structure = StructureFactory()
    one, two = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.MAIN_MANAGER)
    sid = structure.id

    def demote(actor: int, target: int) -> Callable[[Session], object]:
        return lambda s: service.change(
            s, actor_id=actor, structure_id=sid, user_id=target, role=Role.USER
        )

    for _ in range(5):  # the race has more than one way to go: try it a few times
        outcomes = _together(str(db.engine.url), [demote(one, two), demote(two, one)])
        errors = [o for o in outcomes if isinstance(o, service.MembersError)]
        assert len(errors) == 1, outcomes
        assert isinstance(errors[0], service.NotAllowed | service.LastMainManager)
        roles = _roles(sid)
        assert sorted(roles.values()) == [Role.MAIN_MANAGER, Role.USER]
        for user_id in (one, two):  # back to two main managers for the next round
            db.session.execute(
                Membership.__table__.update()
                .where(Membership.user_id == user_id, Membership.structure_id == sid)
                .values(role=Role.MAIN_MANAGER.value)
            )
        db.session.commit()


@pytest.mark.postgres_only
def test_two_main_managers_leaving_at_once_keep_one(app_ctx: Flask) -> None:
    structure = StructureFactory()
    one, two = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.MAIN_MANAGER)
    user = _member(structure, Role.USER)
    sid = structure.id
    outcomes = _together(
        str(db.engine.url),
        [
            lambda s: service.leave(s, user_id=one, structure_id=sid),
            lambda s: service.leave(s, user_id=two, structure_id=sid),
        ],
    )
    assert sum(isinstance(o, service.LastMainManager) for o in outcomes) == 1
    roles = _roles(sid)
    assert roles[user] == Role.USER and sorted(roles.values()) == [Role.MAIN_MANAGER, Role.USER]


@pytest.mark.postgres_only
def test_the_last_two_members_leaving_at_once_erase_the_structure_once(app_ctx: Flask) -> None:
    structure = StructureFactory()
    one, two = _member(structure, Role.MAIN_MANAGER), _member(structure, Role.MAIN_MANAGER)
    sid = structure.id
    outcomes = _together(
        str(db.engine.url),
        [
            lambda s: service.leave(s, user_id=one, structure_id=sid),
            lambda s: service.leave(s, user_id=two, structure_id=sid),
        ],
    )
    departures = [o for o in outcomes if isinstance(o, service.Departure)]
    assert [d.erased for d in departures] == [False, True] or [d.erased for d in departures] == [
        True,
        False,
    ]
    db.session.commit()
    assert db.session.get(Structure, sid) is None
