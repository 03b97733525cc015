"""Tables of the payment domain: the ECB rates, notices already sent, recipients' habits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, UTCDateTime, intpk, utcnow


class EcbRateRow(Base):
    """The ECB main refinancing rate in force on 1 January or 1 July, editable by admins."""

    __tablename__ = "ecb_rates"

    half_year_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rate_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaymentNotice(Base):
    """A payment notification already sent for an invoice: the row claims it, once."""

    __tablename__ = "payment_notices"
    __table_args__ = (UniqueConstraint("invoice_id", "kind"),)

    id: Mapped[intpk]
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecipientHabits(Base):
    """A recipient's observed payment delays, recomputed daily; absent below the threshold."""

    __tablename__ = "recipient_habits"

    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("recipients.id", ondelete="CASCADE"), primary_key=True
    )
    median_days: Mapped[int] = mapped_column(Integer)
    p90_days: Mapped[int] = mapped_column(Integer)
    observations: Mapped[int] = mapped_column(Integer)
    suppliers: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
