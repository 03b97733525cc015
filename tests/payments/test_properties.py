"""Properties of deadlines, interest and habits, checked with hypothesis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.payments.deadlines import payment_terms
from backend.payments.habits import MIN_SUPPLIERS, payment_habits
from backend.payments.interest import late_payment_interest
from backend.timeutil import PARIS

pytestmark = pytest.mark.nodb

principals = st.decimals(min_value=0, max_value=10_000_000, places=2)
# Delays must begin in a half-year of the seeded table (2019 H1 to 2026 H2).
due_dates = st.dates(min_value=dt.date(2018, 12, 31), max_value=dt.date(2026, 12, 30))
delays = st.integers(min_value=0, max_value=2000)


@given(principals, due_dates, delays, delays)
def test_interest_never_decreases_as_the_delay_grows(
    principal: Decimal, due: dt.date, a: int, b: int
) -> None:
    short, long = sorted((a, b))
    first = late_payment_interest(principal, due, due + dt.timedelta(days=short))
    second = late_payment_interest(principal, due, due + dt.timedelta(days=long))
    assert first.interest <= second.interest
    assert first.total <= second.total


@given(principals, due_dates, st.integers(min_value=0, max_value=400))
def test_nothing_is_owed_when_paid_on_or_before_the_due_date(
    principal: Decimal, due: dt.date, early: int
) -> None:
    result = late_payment_interest(principal, due, due - dt.timedelta(days=early))
    assert result.interest == result.indemnity == result.total == 0
    assert not result.is_late


@given(principals, due_dates, st.integers(min_value=1, max_value=2000))
def test_amounts_are_rounded_to_the_cent(principal: Decimal, due: dt.date, days: int) -> None:
    result = late_payment_interest(principal, due, due + dt.timedelta(days=days))
    for amount in (result.interest, result.indemnity, result.total):
        assert amount.as_tuple().exponent == -2
    assert result.total == result.interest + Decimal("40.00")


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=MIN_SUPPLIERS - 2), st.integers(0, 400)),
        max_size=300,
    )
)
def test_habits_need_five_distinct_suppliers(observations: list[tuple[int, int]]) -> None:
    assert payment_habits(observations) is None


@given(
    st.lists(st.integers(0, 400), min_size=MIN_SUPPLIERS, max_size=MIN_SUPPLIERS),
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 400)), max_size=100),
)
def test_median_lies_between_min_and_max(base: list[int], extra: list[tuple[int, int]]) -> None:
    observations = [(f"base-{i}", days) for i, days in enumerate(base)] + extra
    habits = payment_habits(observations)
    assert habits is not None
    values = [days for _, days in observations]
    assert min(values) <= habits.median_days <= habits.p90_days <= max(values)


CODES = ["DEPOSEE", "MISE_A_DISPOSITION", "SUSPENDUE", "COMPLETEE", "MANDATEE", "INCONNU_X"]


# Distinct instants: entries at the same instant rightly keep the order they came in.
histories = st.lists(
    st.tuples(st.sampled_from(CODES), st.integers(0, 90 * 24)),
    min_size=1,
    max_size=12,
    unique_by=lambda event: event[1],
)


def _history(events: list[tuple[str, int]]) -> list[tuple[str, dt.datetime]]:
    origin = dt.datetime(2025, 3, 1, tzinfo=PARIS)
    return [(code, origin + dt.timedelta(hours=hours)) for code, hours in events]


@given(histories.flatmap(lambda events: st.tuples(st.just(events), st.permutations(events))))
def test_history_order_does_not_matter(
    pair: tuple[list[tuple[str, int]], list[tuple[str, int]]],
) -> None:
    ordered, shuffled = pair
    today = dt.date(2025, 6, 1)
    expected = payment_terms(_history(ordered), today=today)
    assert payment_terms(_history(shuffled), today=today) == expected
    assert expected.is_late == (expected.days_late > 0)
    if expected.due_date and expected.start_date:
        assert expected.due_date >= expected.start_date + dt.timedelta(days=30)
