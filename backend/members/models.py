"""An invitation to join a structure, sent by e-mail by one of its main managers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.accounts.models import RecipientService, Role, Structure, User
from backend.db import Base, UTCDateTime, intpk, utcnow

invitation_services = Table(
    "invitation_services",
    Base.metadata,
    Column("invitation_id", ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("recipient_services.id", ondelete="CASCADE"), primary_key=True),
)


class Invitation(Base):
    """One invitation: the address it went to, the role and services it gives, its link.

    The link's token is stored as its SHA-256 digest; the invitation is pending until it is
    accepted, revoked or expired, and accepting it is one conditional UPDATE (single use)."""

    __tablename__ = "invitations"

    id: Mapped[intpk]
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    structure: Mapped[Structure] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    services: Mapped[list[RecipientService]] = relationship(
        secondary=invitation_services, order_by="RecipientService.name"
    )
