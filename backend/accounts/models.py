"""Supplier structures, public recipients, users, memberships and credentials."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base, UTCDateTime, intpk, utcnow


class Role(enum.StrEnum):
    """A user's role in one supplier structure."""

    MAIN_MANAGER = "main_manager"
    MANAGER = "manager"
    USER = "user"


class Structure(Base):
    """A supplier structure (fournisseur), identified by its SIRET."""

    __tablename__ = "structures"

    id: Mapped[intpk]
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), server_default="FR")
    # The portal's own id (idStructureCPP), known once a technical account has proven it.
    portal_structure_id: Mapped[int | None]
    # Bumped in the same transaction as any change to the structure's invoices,
    # so an ETag for the structure's data is known from one primary-key lookup.
    data_version: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Recipient(Base):
    """A public entity receiving invoices (destinataire) and its directory flags."""

    __tablename__ = "recipients"

    id: Mapped[intpk]
    siret: Mapped[str] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    service_code_required: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    engagement_required: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    engagement_or_service_required: Mapped[bool] = mapped_column(
        Boolean, server_default=text("false")
    )
    payment_status_not_reported: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    portal_structure_id: Mapped[int | None]
    directory_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Postal address, as the portal's invoice consult gives it (`adresseDestinataire*`): the
    # claim letter's addressee. Unknown until the sync's monthly directory check reads it.
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))
    # Sets the legal payment period (backend.payments.deadlines.RecipientCategory, lowercase).
    payment_category: Mapped[str] = mapped_column(String(30), server_default="state_and_local")
    services: Mapped[list[RecipientService]] = relationship(
        back_populates="recipient", order_by="RecipientService.code"
    )


class RecipientService(Base):
    """A service of a public recipient (code service)."""

    __tablename__ = "recipient_services"
    __table_args__ = (UniqueConstraint("recipient_id", "code"),)

    id: Mapped[intpk]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    recipient: Mapped[Recipient] = relationship(back_populates="services")


class User(Base):
    """A person who logs in with an e-mail address."""

    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), server_default="fr")
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_trainer: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by="Membership.structure_id"
    )


membership_services = Table(
    "membership_services",
    Base.metadata,
    Column("membership_id", ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("recipient_services.id", ondelete="CASCADE"), primary_key=True),
)


class Membership(Base):
    """A user's attachment (rattachement) to a structure, optionally limited to services."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "structure_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structures.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    user: Mapped[User] = relationship(back_populates="memberships")
    structure: Mapped[Structure] = relationship()
    services: Mapped[list[RecipientService]] = relationship(secondary=membership_services)


class AuthSession(Base):
    """One login on one device; revoking it ends its access and refresh tokens."""

    __tablename__ = "auth_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # What the person sees in their list of sessions: the device's User-Agent at login, and
    # the last refresh (a phone refreshes every ACCESS_TOKEN_TTL while it is used).
    user_agent: Mapped[str | None] = mapped_column(String(200))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    user: Mapped[User] = relationship()


class RefreshToken(Base):
    """A single-use refresh token, stored as a hash; reuse revokes its session."""

    __tablename__ = "refresh_tokens"

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    session: Mapped[AuthSession] = relationship()


api_key_structures = Table(
    "api_key_structures",
    Base.metadata,
    Column("api_key_id", ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True),
    Column("structure_id", ForeignKey("structures.id", ondelete="CASCADE"), primary_key=True),
)


class ApiKey(Base):
    """An integration client's key, stored hashed and scoped to structures."""

    __tablename__ = "api_keys"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    structures: Mapped[list[Structure]] = relationship(secondary=api_key_structures)


class TwoFactor(Base):
    """A user's TOTP second factor: pending until a first code confirms it.

    The secret is encrypted (Fernet, CREDENTIALS_KEY): it must be read back to check codes.
    `last_step` is the newest time step a code was accepted for, so a code cannot be replayed;
    `failures` counts wrong codes in a row, and past the limit logins wait until `locked_until`.
    """

    __tablename__ = "two_factors"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_step: Mapped[int | None]
    failures: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Base):
    """A single-use recovery code of a second factor, stored as an argon2 hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
