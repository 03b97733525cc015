"""A public recipient's observed payment habits, shared only when no supplier can be singled out.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value
at rank ceil(p × n / 100) (1-based). It is always an observed number of days, needs no
interpolation, and the median is the 50th percentile (the lower middle value when n is even).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from backend.payments.formatting import format_days

# k-anonymity: a figure built from fewer suppliers could reveal one supplier's payments.
MIN_SUPPLIERS = 5


@dataclass(frozen=True)
class PaymentHabits:
    """How long a recipient usually takes to pay, from availability to payment."""

    median_days: int
    p90_days: int
    observations: int
    suppliers: int

    @property
    def sentence_fr(self) -> str:
        return (
            f"paie habituellement en {format_days(self.median_days)} "
            f"(9 factures sur 10 en {format_days(self.p90_days)} au plus)"
        )


def nearest_rank(sorted_values: Sequence[int], percent: int) -> int:
    """Return the nearest-rank percentile of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    if not 0 < percent <= 100:
        raise ValueError(f"percent must be in ]0, 100]: {percent}")
    rank = -(-percent * len(sorted_values) // 100)  # ceil without floats
    return sorted_values[rank - 1]


def payment_habits(
    observations: Iterable[tuple[Hashable, int]], min_suppliers: int = MIN_SUPPLIERS
) -> PaymentHabits | None:
    """Summarize (supplier_structure_id, days) pairs, or None below `min_suppliers` suppliers."""
    # A negative delay (payment before availability) is a data error, not a habit.
    kept = [(supplier, days) for supplier, days in observations if days >= 0]
    suppliers = len({supplier for supplier, _ in kept})
    if suppliers < max(min_suppliers, 1):
        return None
    values = sorted(days for _, days in kept)
    return PaymentHabits(
        median_days=nearest_rank(values, 50),
        p90_days=nearest_rank(values, 90),
        observations=len(values),
        suppliers=suppliers,
    )
