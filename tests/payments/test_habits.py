"""Recipients' payment habits: nearest-rank percentiles behind k-anonymity."""

from __future__ import annotations

import pytest

from backend.payments.habits import nearest_rank, payment_habits

pytestmark = pytest.mark.nodb


def test_median_and_p90_by_nearest_rank() -> None:
    # 10 values from 5 suppliers, sorted: 10 12 20 24 24 24 30 41 45 60.
    # Median: rank ceil(50 × 10 / 100) = 5 -> 24. P90: rank ceil(90 × 10 / 100) = 9 -> 45.
    days = [10, 20, 24, 30, 41, 45, 12, 24, 60, 24]
    habits = payment_habits([(f"S{i % 5}", d) for i, d in enumerate(days)])
    assert habits is not None
    assert (habits.median_days, habits.p90_days) == (24, 45)
    assert (habits.observations, habits.suppliers) == (10, 5)
    assert habits.sentence_fr == (
        "paie habituellement en 24\u00a0jours (9 factures sur 10 en 45\u00a0jours au plus)"
    )


def test_nearest_rank_small_samples() -> None:
    # n = 5: P50 rank ceil(2.5) = 3; P90 rank ceil(4.5) = 5. n = 4: P50 rank 2 (lower middle).
    assert (nearest_rank([1, 2, 3, 4, 5], 50), nearest_rank([1, 2, 3, 4, 5], 90)) == (3, 5)
    assert nearest_rank([1, 2, 3, 4], 50) == 2
    assert nearest_rank([7], 90) == 7
    with pytest.raises(ValueError):
        nearest_rank([], 50)


def test_fewer_than_five_suppliers_gives_nothing() -> None:
    many = [(supplier, 30) for supplier in range(4) for _ in range(50)]
    assert payment_habits(many) is None


def test_negative_delays_are_dropped_before_counting_suppliers() -> None:
    observations = [(s, 20) for s in range(4)] + [(4, -3)]
    assert payment_habits(observations) is None
    assert payment_habits([*observations, (5, 40)]) is not None


def test_singular_day() -> None:
    habits = payment_habits([(s, 1) for s in range(5)])
    assert habits is not None
    assert habits.sentence_fr.startswith("paie habituellement en 1\u00a0jour ")
