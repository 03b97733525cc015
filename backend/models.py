"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""

from backend.accounts.models import (
    ApiKey,
    AuthSession,
    Membership,
    Recipient,
    RecipientService,
    RefreshToken,
    Structure,
    User,
)
from backend.db import Base
from backend.invoices.models import Invoice, StatusChange

__all__ = [
    "ApiKey",
    "AuthSession",
    "Base",
    "Invoice",
    "Membership",
    "Recipient",
    "RecipientService",
    "RefreshToken",
    "StatusChange",
    "Structure",
    "User",
]
