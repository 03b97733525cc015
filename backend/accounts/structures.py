"""A structure's data version: every cached answer about it is keyed by it."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.accounts.models import Structure


def bump_version(session: Session, structure_id: int) -> None:
    """Invalidate every cached answer about this structure (same transaction)."""
    session.execute(
        update(Structure)
        .where(Structure.id == structure_id)
        .values(data_version=Structure.data_version + 1)
    )
