"""The ECB main refinancing rate in force on the first day of each half-year.

Kept as data so that an admin-editable table can be seeded from it. A value is the rate of
the main refinancing operations in force on 1 January or 1 July, i.e. set by the last ECB
decision that took effect on or before that day (not the rate of later decisions that half-year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ECB_URL = (
    "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/"
    "html/index.en.html"
)


@dataclass(frozen=True)
class EcbRate:
    """The ECB main refinancing rate in force on the first day of a half-year."""

    half_year_start: dt.date
    rate_percent: Decimal
    source: str


class MissingEcbRateError(LookupError):
    """No rate is recorded for the half-year a delay began in."""


def _source(decision: str, effective: str, note: str = "") -> str:
    text = f"BCE, décision du {decision} (en vigueur le {effective}) ; {ECB_URL}"
    return f"{text} ; {note}" if note else text


_ZERO = _source("10 mars 2016", "16 mars 2016")
# The ECB's decisions after June 2025 were not known when this table was written: these
# values assume the rate stayed at 2.15 % and must be checked against the ECB page.
_UNCHECKED = "valeur à vérifier (aucune décision postérieure connue lors de la saisie)"

ECB_RATES: tuple[EcbRate, ...] = (
    EcbRate(dt.date(2019, 1, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2019, 7, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2020, 1, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2020, 7, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2021, 1, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2021, 7, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2022, 1, 1), Decimal("0.00"), _ZERO),
    # The first rise (to 0.50 %) took effect on 27 July 2022, after the first day of H2.
    EcbRate(dt.date(2022, 7, 1), Decimal("0.00"), _ZERO),
    EcbRate(dt.date(2023, 1, 1), Decimal("2.50"), _source("15 décembre 2022", "21 décembre 2022")),
    EcbRate(dt.date(2023, 7, 1), Decimal("4.00"), _source("15 juin 2023", "21 juin 2023")),
    EcbRate(
        dt.date(2024, 1, 1), Decimal("4.50"), _source("14 septembre 2023", "20 septembre 2023")
    ),
    EcbRate(dt.date(2024, 7, 1), Decimal("4.25"), _source("6 juin 2024", "12 juin 2024")),
    EcbRate(dt.date(2025, 1, 1), Decimal("3.15"), _source("12 décembre 2024", "18 décembre 2024")),
    EcbRate(dt.date(2025, 7, 1), Decimal("2.15"), _source("5 juin 2025", "11 juin 2025")),
    EcbRate(
        dt.date(2026, 1, 1), Decimal("2.15"), _source("5 juin 2025", "11 juin 2025", _UNCHECKED)
    ),
    EcbRate(
        dt.date(2026, 7, 1), Decimal("2.15"), _source("5 juin 2025", "11 juin 2025", _UNCHECKED)
    ),
)


def half_year_start(day: dt.date) -> dt.date:
    """Return 1 January or 1 July of the half-year containing a day."""
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def ecb_rate_for(day: dt.date, table: Sequence[EcbRate] = ECB_RATES) -> EcbRate:
    """Return the rate in force on the first day of the half-year containing a day."""
    start = half_year_start(day)
    for rate in table:
        if rate.half_year_start == start:
            return rate
    raise MissingEcbRateError(f"Taux BCE inconnu pour le semestre commençant le {start}.")
