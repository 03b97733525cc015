"""Migration 0013 recomputes the due dates stored under the old suspension rule."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

from sqlalchemy import update

from backend.db import db
from backend.invoices.models import Invoice
from backend.migrate import MIGRATIONS
from backend.timeutil import paris_today
from tests.factories import make_invoice
from tests.payments_api.conftest import Payments, ago, received


def _migration() -> ModuleType:
    path = Path(MIGRATIONS) / "versions" / "0013_payment_interruption.py"
    spec = importlib.util.spec_from_file_location("migration_0013", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_old_due_dates_are_recomputed_and_only_those(payments: Payments) -> None:
    invoice = make_invoice(
        payments.mine,
        payments.town,
        [*received(40), ("SUSPENDUE", ago(30)), ("COMPLETEE", ago(20))],
        number="F-ANCIENNE-REGLE",
    )
    # Available 40 days ago, suspended 30 days ago, completed 20 days ago: due in 10 days.
    # The suspension rule stored today (40 days ago + 30 + the 10 days of waiting).
    right, old = paris_today() + dt.timedelta(days=10), paris_today()
    assert invoice.due_on == right
    db.session.execute(update(Invoice).where(Invoice.id == invoice.id).values(due_on=old))
    db.session.commit()
    changed = _migration().recompute_payment_dates(db.session.connection())
    db.session.commit()
    db.session.refresh(invoice)
    assert (changed, invoice.due_on) == (1, right)
