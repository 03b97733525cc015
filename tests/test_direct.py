"""DirectSelect gives SQLAlchemy's rows, values and types, without its execution layer."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import bindparam, event, exc, func, literal, select, text

from backend.accounts.models import Membership, Role, Structure
from backend.db import db
from backend.db.direct import DirectSelect
from backend.invoices.models import Invoice
from tests.factories import MembershipFactory, RecipientFactory, StructureFactory, at, make_invoice

# Every kind of value the hot reads carry: UTC datetimes, dates, amounts, enums, text,
# expanding lists (two of them), values bound in the statement itself, a caller's datetime.
STATEMENT = (
    select(
        Invoice.id,
        Invoice.number,
        Invoice.status_changed_at,
        Invoice.invoice_date,
        Invoice.amount_incl_tax,
        Membership.role,
        literal(7).label("seven"),
        func.coalesce(Invoice.amount_to_pay, 0).label("to_pay"),
    )
    .join(Membership, Membership.structure_id == Invoice.structure_id)
    .where(
        Invoice.structure_id.in_(bindparam("structure_ids", expanding=True)),
        Invoice.status_code.in_(bindparam("codes", expanding=True)),
        Invoice.status_changed_at < bindparam("before", type_=Invoice.status_changed_at.type),
    )
    .order_by(Invoice.id)
)


@pytest.fixture
def structure_ids(app_ctx: Flask) -> list[int]:
    recipient = RecipientFactory()
    structures = [StructureFactory() for _ in range(3)]
    for structure in structures:
        MembershipFactory(structure=structure, role=Role.MANAGER)
    for day, structure in enumerate(structures * 2, start=1):
        make_invoice(structure, recipient, [("DEPOSEE", at(day)), ("SUSPENDUE", at(day, 14))])
    make_invoice(structures[0], recipient, [("MANDATEE", at(9))], amount="99.90")
    return [s.id for s in structures]


def _sqlalchemy_rows(params: dict[str, object]) -> list[tuple[object, ...]]:
    return [tuple(row) for row in db.session.execute(STATEMENT, params)]


def test_rows_are_sqlalchemys_rows_for_every_length_of_list(structure_ids: list[int]) -> None:
    direct = DirectSelect(STATEMENT)
    before = at(30)
    for ids, codes in [
        (structure_ids[:1], ["SUSPENDUE"]),
        (structure_ids, ["SUSPENDUE", "MANDATEE"]),
        (structure_ids[1:], ["SUSPENDUE", "MANDATEE", "DEPOSEE"]),
        (structure_ids[:1], ["SUSPENDUE"]),  # a shape seen before
    ]:
        params = {"structure_ids": ids, "codes": codes, "before": before}
        rows = direct.rows(db.session, params)
        expected = _sqlalchemy_rows(params)
        assert rows and [tuple(r) for r in rows] == expected
        # Same types, not only equal values: an aware UTC datetime, an enum, Decimals.
        first = rows[0]
        assert first.status_changed_at.utcoffset() == dt.timedelta(0)
        assert first.role is Role.MANAGER
        assert isinstance(first.amount_incl_tax, Decimal)
        assert first.seven == 7
        assert [type(v) for v in first] == [type(v) for v in expected[0]]


def test_a_caller_datetime_goes_through_the_type(structure_ids: list[int]) -> None:
    """`before` in another time zone is converted to UTC as SQLAlchemy's bind would."""
    direct = DirectSelect(STATEMENT)
    paris = dt.timezone(dt.timedelta(hours=2))
    before = dt.datetime(2026, 10, 2, 12, tzinfo=paris)  # 10:00 UTC: only day 1 is older
    params = {"structure_ids": structure_ids, "codes": ["SUSPENDUE"], "before": before}
    rows = direct.rows(db.session, params)
    assert [tuple(r) for r in rows] == _sqlalchemy_rows(params)
    assert [r.status_changed_at for r in rows] == [at(1, 14)]


def test_an_empty_list_matches_nothing(structure_ids: list[int]) -> None:
    direct = DirectSelect(STATEMENT)
    params = {"structure_ids": [], "codes": ["SUSPENDUE"], "before": at(30)}
    assert direct.rows(db.session, params) == []


def test_listeners_see_each_statement_and_sql_echo_logs_it(
    structure_ids: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    direct = DirectSelect(STATEMENT)
    params = {"structure_ids": structure_ids, "codes": ["SUSPENDUE"], "before": at(30)}
    db.session.commit()  # the next connection is made with SQL echo on (SQLAlchemy's rule)
    level = db.engine.logger.level
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.engine.logger.setLevel(logging.INFO)
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
            direct.rows(db.session, params)
    finally:
        db.engine.logger.setLevel(level)
        event.remove(db.engine, "before_cursor_execute", listener)
    statements = [s for s in seen if "FROM invoices" in s]
    assert len(statements) == 1
    assert any("FROM invoices" in r.getMessage() for r in caplog.records)


@pytest.mark.postgres_only
def test_postgresql_compiles_each_shape_once(structure_ids: list[int]) -> None:
    direct = DirectSelect(STATEMENT)
    for _ in range(3):
        for ids in (structure_ids[:1], structure_ids):
            direct.rows(db.session, {"structure_ids": ids, "codes": ["DEPOSEE"], "before": at(30)})
    assert sorted(direct._shapes) == [(1, 1), (3, 1)]
    # The SQL is SQLAlchemy's own rendering, casts included, so PostgreSQL plans it as before.
    assert "IN (%(structure_ids_1)s::BIGINT, %(structure_ids_2)s::BIGINT" in (
        direct._shapes[(3, 1)].sql
    )


@pytest.mark.postgres_only
def test_a_lost_connection_is_invalidated_and_the_next_request_works(
    structure_ids: list[int],
) -> None:
    direct = DirectSelect(
        select(Structure.id).where(Structure.id.in_(bindparam("ids", expanding=True)))
    )
    db.session.commit()
    pid = db.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(exc.DBAPIError) as raised:
        direct.rows(db.session, {"ids": structure_ids})
    assert raised.value.connection_invalidated
    db.session.rollback()
    rows = direct.rows(db.session, {"ids": structure_ids})
    assert sorted(row.id for row in rows) == sorted(structure_ids)
