"""Late-payment interest (intérêts moratoires) and the fixed recovery indemnity.

Code de la commande publique: L2192-13 (both due by right, from the day after the period
expired), R2192-31 (ECB main refinancing rate in force on the first day of the half-year in
which the interest began to run, plus 8 points), R2192-32 (interest runs until the payment
date included), D2192-35 (the €40 indemnity), R2192-36 (both paid within 45 days of the
payment of the principal). The ECB's rates: see `rates.ECB_URL`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from backend.payments.formatting import (
    format_date,
    format_days,
    format_eur,
    format_percent,
    to_cents,
)
from backend.payments.rates import ECB_RATES, EcbRate, ecb_rate_for, half_year_start

__all__ = ["ECB_RATES", "EcbRate", "InterestResult", "format_eur", "late_payment_interest"]

MARGIN_POINTS = Decimal(8)
RECOVERY_INDEMNITY = Decimal("40.00")
# Simple interest on a 365-day year, leap years included: the formula of the usual practice
# (montant × taux × jours / 365), which the code's articles do not spell out themselves.
DAYS_IN_YEAR = 365
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class InterestResult:
    """What a buyer owes for paying an invoice late, with the steps to check it by hand."""

    principal: Decimal
    due_date: dt.date
    end_date: dt.date
    days_late: int
    delay_start: dt.date | None
    ecb_rate: EcbRate | None
    rate_percent: Decimal
    interest: Decimal
    indemnity: Decimal
    total: Decimal
    steps: tuple[str, ...]

    @property
    def is_late(self) -> bool:
        return self.days_late > 0


def _half_year_label(day: dt.date) -> str:
    start = half_year_start(day)
    return f"{'premier' if start.month == 1 else 'second'} semestre {start.year}"


def _check_principal(principal: Decimal) -> None:
    # A float would silently carry binary rounding errors into a legal claim.
    if not isinstance(principal, Decimal):
        raise TypeError(f"principal must be a Decimal, not {type(principal).__name__}")
    if not principal.is_finite() or principal < 0:
        raise ValueError(f"principal must be a non-negative amount: {principal}")


def late_payment_interest(
    principal: Decimal,
    due_date: dt.date,
    end_date: dt.date,
    rate_table: Sequence[EcbRate] = ECB_RATES,
) -> InterestResult:
    """Compute the interest and indemnity owed when `end_date` (payment or today) is late."""
    _check_principal(principal)
    days = (end_date - due_date).days
    if days <= 0:
        step = "Paiement dans le délai : ni intérêts moratoires ni indemnité forfaitaire."
        return InterestResult(
            principal, due_date, end_date, 0, None, None, ZERO, ZERO, ZERO, ZERO, (step,)
        )
    delay_start = due_date + dt.timedelta(days=1)
    ecb = ecb_rate_for(delay_start, rate_table)
    rate = ecb.rate_percent + MARGIN_POINTS
    interest = to_cents(principal * rate * days / (100 * DAYS_IN_YEAR))
    total = interest + RECOVERY_INDEMNITY
    steps = _steps(principal, due_date, end_date, ecb, rate, interest, total)
    return InterestResult(
        principal,
        due_date,
        end_date,
        days,
        delay_start,
        ecb,
        rate,
        interest,
        RECOVERY_INDEMNITY,
        total,
        steps,
    )


def _steps(
    principal: Decimal,
    due_date: dt.date,
    end_date: dt.date,
    ecb: EcbRate,
    rate: Decimal,
    interest: Decimal,
    total: Decimal,
) -> tuple[str, ...]:
    """Explain the calculation in French, one checkable step per line."""
    start = due_date + dt.timedelta(days=1)
    days = (end_date - due_date).days
    return (
        f"Date limite de paiement : {format_date(due_date)} ; "
        f"le retard court à partir du lendemain, le {format_date(start)}.",
        f"Le retard a commencé au {_half_year_label(start)} ; taux BCE en vigueur au "
        f"{format_date(ecb.half_year_start)} : {format_percent(ecb.rate_percent)}.",
        f"Taux applicable : {format_percent(ecb.rate_percent)} + 8 points = "
        f"{format_percent(rate)}.",
        f"Jours de retard : du {format_date(start)} au {format_date(end_date)} inclus, "
        f"soit {format_days(days)}.",
        f"Intérêts moratoires : {format_eur(principal)} × {format_percent(rate)} × {days} / "
        f"{DAYS_IN_YEAR} = {format_eur(interest)} (arrondi au centime).",
        f"Indemnité forfaitaire pour frais de recouvrement : {format_eur(RECOVERY_INDEMNITY)}.",
        f"Total dû : {format_eur(interest)} + {format_eur(RECOVERY_INDEMNITY)} = "
        f"{format_eur(total)}.",
    )
