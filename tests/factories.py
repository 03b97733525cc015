"""factory_boy factories for accounts and invoices, persisted through the app's session."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from backend import ingest
from backend.accounts.models import (
    Membership,
    Recipient,
    RecipientService,
    Role,
    Structure,
    User,
)
from backend.accounts.security import hash_password
from backend.db import db
from backend.invoices import service
from backend.invoices.models import Invoice
from backend.siret import make_siret

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)
_serials = itertools.count(1)


class Base(SQLAlchemyModelFactory):  # type: ignore[misc]
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class StructureFactory(Base):
    class Meta:
        model = Structure

    siret = factory.LazyFunction(lambda: make_siret(next(_serials)))
    name = factory.Sequence(lambda n: f"Menuiserie Dupont {n}")
    address_line1 = "12 rue des Artisans"
    postal_code = "69003"
    city = "Lyon"


class RecipientFactory(Base):
    class Meta:
        model = Recipient

    siret = factory.LazyFunction(lambda: make_siret(next(_serials) + 500_000))
    name = factory.Sequence(lambda n: f"Commune de Villeneuve {n}")


class ServiceFactory(Base):
    class Meta:
        model = RecipientService

    recipient = factory.SubFactory(RecipientFactory)
    code = factory.Sequence(lambda n: f"SERV{n:03d}")
    name = factory.Sequence(lambda n: f"Service technique {n}")


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    password_hash = _PASSWORD_HASH
    full_name = factory.Sequence(lambda n: f"Camille Martin {n}")


class MembershipFactory(Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = Role.USER


_portal_ids = itertools.count(1_000_000)


def at(day: int, hour: int = 10, month: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def make_invoice(
    structure: Structure,
    recipient: Recipient,
    history: list[tuple[str, dt.datetime] | tuple[str, dt.datetime, str]],
    *,
    service_code: str | None = None,
    amount: str = "1200.00",
    number: str | None = None,
    **fields: Any,
) -> Invoice:
    """An invoice with its history, recorded through the real service function."""
    portal_id = next(_portal_ids)
    record = service.InvoiceRecord(
        portal_id=portal_id,
        number=number or f"F-2026-{portal_id}",
        recipient_siret=recipient.siret,
        recipient_name=recipient.name,
        service_code=service_code,
        amount_incl_tax=Decimal(amount),
        amount_excl_tax=(Decimal(amount) / Decimal("1.2")).quantize(Decimal("0.01")),
        invoice_date=history[0][1].date() if history else None,
        **fields,
    )
    changes = [service.ChangeIn(h[0], h[1], h[2] if len(h) > 2 else None) for h in history]  # type: ignore[misc]
    result = ingest.record(db.session, structure.id, record, changes, source="test")
    db.session.commit()
    return result.invoice
