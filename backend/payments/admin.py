"""Admin edits: the ECB rates table and recipients' payment category."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from backend.accounts.models import Recipient, Structure
from backend.accounts.structures import bump_version
from backend.db import utcnow
from backend.payments.deadlines import RecipientCategory
from backend.payments.models import EcbRateRow
from backend.payments.service import category_code, refresh_recipient


def save_rates(session: Session, rates: Iterable[dict[str, Any]]) -> None:
    """Insert or replace the given half-years' rates; every cached answer is stale after it."""
    now = utcnow()
    for item in rates:
        row = session.get(EcbRateRow, item["half_year_start"])
        if row is None:
            row = EcbRateRow(half_year_start=item["half_year_start"])
            session.add(row)
        row.rate_percent = Decimal(item["rate_percent"])
        row.source = item["source"]
        row.updated_at = now
    # Interest shown anywhere may change: invalidate every structure's ETags and cache.
    session.execute(update(Structure).values(data_version=Structure.data_version + 1))


def set_category(session: Session, recipient: Recipient, category: RecipientCategory) -> int:
    """Change a recipient's category and recompute its invoices' dates; return how many."""
    recipient.payment_category = category_code(category)
    session.flush()
    count, structures = refresh_recipient(session, recipient)
    for structure_id in sorted(structures):
        bump_version(session, structure_id)
    return count
