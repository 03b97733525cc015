"""Invoices and the history of their statuses."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import Recipient, RecipientService, Structure
from backend.db import Base, UTCDateTime, intpk, utcnow

if TYPE_CHECKING:
    from backend.payments.models import RecipientHabits


class InvoiceType(enum.StrEnum):
    FACTURE = "FACTURE"
    AVOIR = "AVOIR"
    ACOMPTE = "ACOMPTE"


class Invoice(Base):
    """An invoice sent by a supplier structure to a public recipient."""

    __tablename__ = "invoices"
    __table_args__ = (
        # The phone's list: a structure's invoices, newest status change first (keyset).
        Index("ix_invoices_structure_changed", "structure_id", "status_changed_at", "id"),
        # Synthèse and dashboard: counts and sums per status of a structure, from the index
        # alone (the amount is in it); also the status-filtered list.
        Index(
            "ix_invoices_structure_status_amount",
            "structure_id",
            "status_code",
            "status_changed_at",
            "amount_incl_tax",
        ),
        Index("ix_invoices_structure_recipient", "structure_id", "recipient_id"),
        # Payment deadlines: the due-date sort, and the unpaid ones ("late", "due within").
        Index("ix_invoices_structure_due", "structure_id", "due_on", "id"),
        Index(
            "ix_invoices_structure_unpaid_due",
            "structure_id",
            "due_on",
            sqlite_where=text("paid_on IS NULL AND due_on IS NOT NULL"),
            postgresql_where=text("paid_on IS NULL AND due_on IS NOT NULL"),
        ),
    )

    id: Mapped[intpk]
    portal_id: Mapped[int] = mapped_column(unique=True)
    number: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(20), default=InvoiceType.FACTURE.value)
    billing_framework: Mapped[str] = mapped_column(String(10), default="A1")
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("recipient_services.id"))
    engagement_number: Mapped[str | None] = mapped_column(String(60))
    invoice_date: Mapped[dt.date | None] = mapped_column(Date)
    deposit_date: Mapped[dt.date | None] = mapped_column(Date)
    amount_excl_tax: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_incl_tax: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_to_pay: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    deposit_mode: Mapped[str | None] = mapped_column(String(30))
    status_code: Mapped[str] = mapped_column(String(60))
    status_comment: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the facts held in the fields above were true (backend.invoices.service.record):
    # an older observation never overwrites them.
    facts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Payment terms, kept by backend.payments.service.refresh_terms on every write.
    available_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    structure: Mapped[Structure] = relationship()
    recipient: Mapped[Recipient] = relationship()
    service: Mapped[RecipientService | None] = relationship()
    # The recipient's payment habits (payments domain), loaded with the invoice's detail.
    recipient_habits: Mapped[RecipientHabits | None] = relationship(
        "RecipientHabits",
        primaryjoin="foreign(Invoice.recipient_id) == RecipientHabits.recipient_id",
        viewonly=True,
        uselist=False,
    )
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="invoice",
        order_by="(StatusChange.occurred_at, StatusChange.id)",
        passive_deletes=True,
    )


class StatusChange(Base):
    """One observed status change; replays hit the unique key and change nothing."""

    __tablename__ = "status_changes"
    __table_args__ = (UniqueConstraint("invoice_id", "code", "occurred_at"),)

    id: Mapped[intpk]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="history")


class InvoiceCount(Base):
    """How many invoices, for how much, per structure, service and current status.

    Kept in the same transaction as the invoices by `backend.invoices.counts.move`, called
    from `service.record` (the one write path): the Synthèse, the Tableau de bord and list
    totals read a few of these rows instead of counting 100,000 invoices of a big supplier.
    """

    __tablename__ = "invoice_counts"

    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True
    )
    # -1: every invoice of the structure; otherwise the invoices of that service.
    service_key: Mapped[int] = mapped_column(primary_key=True)
    status_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int]
    amount_incl_tax: Mapped[Decimal] = mapped_column(Numeric(18, 2))
