"""Late-payment interest and the ECB rate table, against hand-checked amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backend.payments.formatting import format_date, format_eur, format_percent
from backend.payments.interest import ECB_RATES, EcbRate, late_payment_interest
from backend.payments.rates import MissingEcbRateError, ecb_rate_for

pytestmark = pytest.mark.nodb

NBSP, NNBSP = "\u00a0", "\u202f"


def test_worked_example_from_the_brief() -> None:
    # Due 31 March 2025, paid 12 April: 12 days (1 -> 12 April). 2025 H1: 3.15 + 8 = 11.15 %.
    # 1 200 × 11.15 % × 12 / 365 = 1 605.6 / 365 = 4.3989 -> 4.40 €; + 40 € = 44.40 €.
    result = late_payment_interest(Decimal("1200.00"), dt.date(2025, 3, 31), dt.date(2025, 4, 12))
    assert result.days_late == 12
    assert result.rate_percent == Decimal("11.15")
    assert (result.interest, result.indemnity, result.total) == (
        Decimal("4.40"),
        Decimal("40.00"),
        Decimal("44.40"),
    )
    text = "\n".join(result.steps).replace(NBSP, " ").replace(NNBSP, " ")
    assert "taux BCE en vigueur au 1er janvier 2025 : 3,15 %" in text
    assert "Taux applicable : 3,15 % + 8 points = 11,15 %" in text
    assert "1 200,00 € × 11,15 % × 12 / 365 = 4,40 €" in text
    assert "Total dû : 4,40 € + 40,00 € = 44,40 €" in text


def test_payment_one_day_late() -> None:
    # 1 200 × 11.15 % × 1 / 365 = 133.8 / 365 = 0.3666 -> 0.37 €; + 40 € = 40.37 €.
    result = late_payment_interest(Decimal("1200.00"), dt.date(2025, 4, 2), dt.date(2025, 4, 3))
    assert (result.days_late, result.interest, result.total) == (
        1,
        Decimal("0.37"),
        Decimal("40.37"),
    )


def test_payment_on_the_deadline_day_owes_nothing() -> None:
    result = late_payment_interest(Decimal("1200.00"), dt.date(2025, 4, 2), dt.date(2025, 4, 2))
    assert not result.is_late
    assert (result.interest, result.indemnity, result.total) == (Decimal(0), Decimal(0), Decimal(0))


@pytest.mark.parametrize(
    ("due", "rate", "interest"),
    [
        # Delay starts 30 June 2023 (H1 2023: 2.50 %): 10 000 × 10.50 % × 10 / 365
        # = 10 500 / 365 = 28.767 -> 28.77 €. The H1 rate holds for the whole delay.
        (dt.date(2023, 6, 29), Decimal("10.50"), Decimal("28.77")),
        # Delay starts 1 July 2023 (H2 2023: 4.00 %): 10 000 × 12.00 % × 10 / 365
        # = 12 000 / 365 = 32.877 -> 32.88 €.
        (dt.date(2023, 6, 30), Decimal("12.00"), Decimal("32.88")),
    ],
)
def test_half_year_of_the_first_day_of_delay_sets_the_rate(
    due: dt.date, rate: Decimal, interest: Decimal
) -> None:
    result = late_payment_interest(Decimal("10000"), due, due + dt.timedelta(days=10))
    assert (result.rate_percent, result.interest) == (rate, interest)


def test_delay_across_29_february_2024() -> None:
    # Due 20 Feb 2024, paid 10 March: 9 days (21-29 Feb) + 10 = 19 days. 2024 H1: 4.50 + 8.
    # 5 000 × 12.50 % × 19 / 365 = 11 875 / 365 = 32.534 -> 32.53 € (365 even in a leap year).
    result = late_payment_interest(Decimal("5000"), dt.date(2024, 2, 20), dt.date(2024, 3, 10))
    assert (result.days_late, result.interest) == (19, Decimal("32.53"))


def test_rate_still_zero_in_july_2022() -> None:
    # The ECB's first rise took effect on 27 July 2022: H2 2022 keeps 0.00 %, so 8 %.
    # 1 000 × 8 % × 30 / 365 = 2 400 / 365 = 6.575 -> 6.58 €.
    result = late_payment_interest(Decimal("1000"), dt.date(2022, 7, 31), dt.date(2022, 8, 30))
    assert (result.rate_percent, result.interest) == (Decimal("8.00"), Decimal("6.58"))


def test_rounding_is_half_up() -> None:
    # Delay from 1 July 2025 (2.15 + 8 = 10.15 %), 365 days: 30 × 10.15 % = 3.045 -> 3.05 €
    # (banker's rounding would give 3.04).
    due = dt.date(2025, 6, 30)
    result = late_payment_interest(Decimal("30.00"), due, due + dt.timedelta(days=365))
    assert result.interest == Decimal("3.05")


def test_an_admin_edited_table_is_used() -> None:
    table = [EcbRate(dt.date(2030, 1, 1), Decimal("1.00"), "test")]
    # 3 650 × 9 % × 10 / 365 = 9.00 €.
    result = late_payment_interest(
        Decimal("3650"), dt.date(2030, 1, 1), dt.date(2030, 1, 11), table
    )
    assert result.interest == Decimal("9.00")


def test_missing_rate_and_bad_principal_are_refused() -> None:
    with pytest.raises(MissingEcbRateError):
        late_payment_interest(Decimal(100), dt.date(2018, 3, 1), dt.date(2018, 4, 1))
    with pytest.raises(TypeError):
        late_payment_interest(100.0, dt.date(2025, 3, 1), dt.date(2025, 4, 1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        late_payment_interest(Decimal(-1), dt.date(2025, 3, 1), dt.date(2025, 4, 1))


def test_rate_table_is_complete_ordered_and_sourced() -> None:
    starts = [rate.half_year_start for rate in ECB_RATES]
    assert starts[0] == dt.date(2019, 1, 1) and starts[-1] == dt.date(2026, 7, 1)
    assert len(starts) == 16 and starts == sorted(starts)
    assert all(r.source.count("ecb.europa.eu") == 1 for r in ECB_RATES)
    assert ecb_rate_for(dt.date(2024, 12, 31)).rate_percent == Decimal("4.25")
    assert ecb_rate_for(dt.date(2025, 1, 1)).rate_percent == Decimal("3.15")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1200"), f"1{NNBSP}200,00{NBSP}€"),
        (Decimal("1234567.891"), f"1{NNBSP}234{NNBSP}567,89{NBSP}€"),
        (Decimal("0.005"), f"0,01{NBSP}€"),
        (Decimal("999.99"), f"999,99{NBSP}€"),
    ],
)
def test_format_eur(amount: Decimal, text: str) -> None:
    assert format_eur(amount) == text


def test_format_percent_and_date() -> None:
    assert format_percent(Decimal("11.15")) == f"11,15{NBSP}%"
    assert format_date(dt.date(2025, 7, 1)) == "1er juillet 2025"
    assert format_date(dt.date(2024, 2, 29)) == "29 février 2024"
