"""A supplier whose invoices stand at every point of their payment period, dated from today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from backend.accounts.models import Recipient, Role, Structure, User
from backend.db import db
from backend.invoices.models import Invoice
from backend.payments.models import EcbRateRow
from backend.payments.rates import ECB_RATES
from backend.timeutil import paris_today
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    StructureFactory,
    UserFactory,
    make_invoice,
)
from tests.helpers import auth_headers


def ago(days: int, hour: int = 10) -> dt.datetime:
    """An instant `days` Paris days before today (10:00 UTC is the same day in Paris).

    Never in the future: the service refuses changes dated after now (early in the day,
    today's 10:00 UTC is still to come)."""
    day = paris_today() - dt.timedelta(days=days)
    instant = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
    return min(instant, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))


def received(days: int) -> list[tuple[str, dt.datetime]]:
    """Deposited and made available to the recipient `days` days ago."""
    return [("DEPOSEE", ago(days, 8)), ("MISE_A_DISPOSITION", ago(days))]


@pytest.fixture(autouse=True)
def ecb_rates(app_ctx: Flask) -> None:
    """The migration seeds the rates; the suite empties every table between tests."""
    if db.session.scalar(select(func.count()).select_from(EcbRateRow)) == 0:
        db.session.add_all(
            EcbRateRow(
                half_year_start=r.half_year_start, rate_percent=r.rate_percent, source=r.source
            )
            for r in ECB_RATES
        )
        db.session.commit()


@dataclass
class Payments:
    mine: Structure
    town: Recipient
    me: User
    other: User
    late: Invoice
    due_soon: Invoice
    paid_late: Invoice
    paid_on_time: Invoice
    suspended: Invoice

    def headers(self, client: FlaskClient, user: User | None = None) -> dict[str, str]:
        return auth_headers(client, (user or self.me).email)


@pytest.fixture
def payments(app_ctx: Flask) -> Payments:
    mine = StructureFactory(name="Atelier Dupont")
    town = RecipientFactory(name="Commune de Villeurbanne")
    me, other = UserFactory(), UserFactory()
    MembershipFactory(user=me, structure=mine, role=Role.MAIN_MANAGER)
    MembershipFactory(user=other, structure=StructureFactory(), role=Role.MAIN_MANAGER)
    return Payments(
        mine,
        town,
        me,
        other,
        late=make_invoice(mine, town, received(40), amount="1200.00", number="F-RETARD"),
        due_soon=make_invoice(mine, town, received(27), amount="500.00", number="F-BIENTOT"),
        paid_late=make_invoice(
            mine,
            town,
            [*received(50), ("MISE_EN_PAIEMENT", ago(5))],
            amount="3000.00",
            number="F-PAYEE-TARD",
        ),
        paid_on_time=make_invoice(
            mine,
            town,
            [*received(40), ("MISE_EN_PAIEMENT", ago(35))],
            amount="100.00",
            number="F-PAYEE",
        ),
        suspended=make_invoice(
            mine,
            town,
            [*received(20), ("SUSPENDUE", ago(10), "Bon de livraison manquant")],
            amount="800.00",
            number="F-SUSP",
        ),
    )
