"""The one service function that records invoices and status changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from backend import ingest
from backend.accounts.models import Structure
from backend.db import db
from backend.invoices import service
from backend.invoices.models import StatusChange
from tests.factories import RecipientFactory, StructureFactory, at, make_invoice


def _record(structure: Structure, portal_id: int, changes: list[service.ChangeIn], **kw):  # type: ignore[no-untyped-def]
    recipient_siret = kw.pop("recipient_siret", "21690123100011")
    data = service.InvoiceRecord(
        portal_id=portal_id, number="F-1", recipient_siret=recipient_siret, **kw
    )
    result = ingest.record(db.session, structure.id, data, changes, source="test")
    db.session.commit()
    return result


def test_replayed_changes_change_nothing(app_ctx: Flask) -> None:
    structure = StructureFactory()
    changes = [
        service.ChangeIn("DEPOSEE", at(1)),
        service.ChangeIn("MISE_A_DISPOSITION", at(2), "ok"),
    ]
    first = _record(structure, 42, changes, amount_incl_tax=Decimal("10.00"))
    version = db.session.get(Structure, structure.id).data_version
    again = _record(structure, 42, changes, amount_incl_tax=Decimal("10.00"))
    assert first.created and not again.created
    assert len(first.new_changes) == 2
    assert again.new_changes == [] and again.duplicates == 2
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).data_version == version
    assert len(db.session.scalars(select(StatusChange)).all()) == 2


def test_current_status_is_the_newest_whatever_the_arrival_order(app_ctx: Flask) -> None:
    structure = StructureFactory()
    _record(structure, 7, [service.ChangeIn("MISE_EN_PAIEMENT", at(20))])
    result = _record(
        structure,
        7,
        [service.ChangeIn("MANDATEE", at(15)), service.ChangeIn("DEPOSEE", at(1))],
    )
    assert result.invoice.status_code == "MISE_EN_PAIEMENT"
    # A "backward" change stamped later is never refused: it becomes current.
    late = _record(structure, 7, [service.ChangeIn("MANDATEE", at(21), "ordre de paiement")])
    assert late.invoice.status_code == "MANDATEE"
    assert late.invoice.status_comment == "ordre de paiement"
    codes = [c.code for c in late.invoice.history]
    assert codes == ["DEPOSEE", "MANDATEE", "MISE_EN_PAIEMENT", "MANDATEE"]


def test_unknown_codes_are_kept_raw_and_reform_codes_mapped(app_ctx: Flask) -> None:
    structure = StructureFactory()
    result = _record(
        structure,
        8,
        [
            service.ChangeIn("203", at(2)),
            service.ChangeIn("statut_jamais_vu", at(3), "nouveau"),
            service.ChangeIn("207", at(4)),
        ],
    )
    codes = [c.code for c in result.invoice.history]
    assert codes == ["MISE_A_DISPOSITION", "STATUT_JAMAIS_VU", "207"]
    assert result.invoice.status_code == "207"


def test_every_recorded_change_bumps_the_structure_version(app_ctx: Flask) -> None:
    structure = StructureFactory()
    other = StructureFactory()
    recipient = RecipientFactory()
    make_invoice(structure, recipient, [("DEPOSEE", at(1))])
    before = db.session.get(Structure, structure.id).data_version
    other_before = db.session.get(Structure, other.id).data_version
    _record(structure, 99, [service.ChangeIn("DEPOSEE", at(5))], recipient_siret=recipient.siret)
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).data_version == before + 1
    assert db.session.get(Structure, other.id).data_version == other_before


def test_invoice_of_another_structure_is_refused(app_ctx: Flask) -> None:
    mine, theirs = StructureFactory(), StructureFactory()
    _record(theirs, 5, [service.ChangeIn("DEPOSEE", at(1))])
    try:
        _record(mine, 5, [service.ChangeIn("REJETEE", at(2))])
    except service.ForeignInvoice:
        db.session.rollback()
    else:
        raise AssertionError("ForeignInvoice not raised")
    assert len(db.session.scalars(select(StatusChange)).all()) == 1


def test_a_future_change_is_refused_before_anything_is_written(app_ctx: Flask) -> None:
    structure = StructureFactory()
    soon = dt.datetime.now(dt.UTC) + ingest.CLOCK_SKEW + dt.timedelta(seconds=30)
    changes = [service.ChangeIn("DEPOSEE", at(1)), service.ChangeIn("MANDATEE", soon)]
    with pytest.raises(ingest.FutureChange) as refused:
        _record(structure, 77, changes)
    assert refused.value.change.code == "MANDATEE"
    db.session.rollback()
    assert db.session.scalars(select(StatusChange)).all() == []


def test_the_sync_observation_time_decides_which_fields_win(app_ctx: Flask) -> None:
    structure = StructureFactory()
    _record(structure, 78, [], amount_to_pay=Decimal("90.00"), observed_at=at(5))
    older = _record(structure, 78, [], amount_to_pay=Decimal("80.00"), observed_at=at(4))
    assert older.invoice.amount_to_pay == Decimal("90.00")
    newer = _record(structure, 78, [], amount_to_pay=Decimal("70.00"), observed_at=at(6))
    assert newer.invoice.amount_to_pay == Decimal("70.00") and newer.invoice.facts_at == at(6)
