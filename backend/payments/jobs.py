"""Scheduled work of the payment domain: reminders, and recipients' habits recomputed daily."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from backend.invoices.models import Invoice
from backend.payments.habits import payment_habits
from backend.payments.models import RecipientHabits
from backend.payments.notices import send_reminders
from backend.timeutil import PARIS, paris_today

# Reminders go out in the morning, not at midnight when the Paris day changes.
REMINDER_HOUR = 8
# Habits describe the recent past: payments of the last twelve months.
HABITS_WINDOW = dt.timedelta(days=365)


def payment_reminders(session: Session, now: dt.datetime, days_before: int) -> None:
    """Deadline-coming and deadline-passed notices, each sent once per invoice."""
    if now.astimezone(PARIS).hour < REMINDER_HOUR:
        return
    send_reminders(session, paris_today(now), days_before)


def recompute_habits(session: Session, now: dt.datetime) -> int:
    """Recompute every recipient's payment delays; one paid by fewer than 5 suppliers has no row."""
    since = paris_today(now) - HABITS_WINDOW
    rows = session.execute(
        select(Invoice.recipient_id, Invoice.structure_id, Invoice.available_on, Invoice.paid_on)
        .where(
            Invoice.paid_on.is_not(None),
            Invoice.available_on.is_not(None),
            Invoice.paid_on >= since,
        )
        .order_by(Invoice.recipient_id)
        .execution_options(yield_per=5000)
    )
    kept = []
    for recipient_id, group in itertools.groupby(rows, key=lambda row: row[0]):
        delays = [(sid, (paid - avail).days) for _, sid, avail, paid in group if avail and paid]
        habits = payment_habits(delays)
        if habits is not None:
            kept.append(
                {
                    "recipient_id": recipient_id,
                    "median_days": habits.median_days,
                    "p90_days": habits.p90_days,
                    "observations": habits.observations,
                    "suppliers": habits.suppliers,
                    "computed_at": now,
                }
            )
    session.execute(delete(RecipientHabits))
    if kept:
        session.execute(insert(RecipientHabits), kept)
    return len(kept)
