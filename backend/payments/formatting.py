"""French formatting of amounts, rates, dates and day counts, as suppliers read them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from backend.timeutil import MONTHS_FR

CENT = Decimal("0.01")
# French typography: a narrow no-break space groups thousands, and a no-break space keeps
# the unit on the same line as the number (« 1 200,00 € »).
THOUSANDS_SEP = "\u202f"
UNIT_SEP = "\u00a0"


def to_cents(amount: Decimal) -> Decimal:
    """Round an amount to the cent, half up (the usual rule for money)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int = 2) -> str:
    """Format a decimal the French way: comma decimal mark, grouped thousands."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", THOUSANDS_SEP).replace(".", ",")


def format_eur(amount: Decimal) -> str:
    """Format an amount in euros: « 1 200,00 € »."""
    return f"{format_number(amount)}{UNIT_SEP}€"


def format_percent(rate_percent: Decimal) -> str:
    """Format a rate given in percent: « 11,15 % »."""
    return f"{format_number(rate_percent)}{UNIT_SEP}%"


def format_date(day: dt.date) -> str:
    """Format a date in long French form: « 1er juillet 2025 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS_FR[day.month - 1]} {day.year}"


def format_days(count: int) -> str:
    """Count days in French: « 1 jour », « 12 jours » (0 and 1 are singular in French)."""
    return f"{count}{UNIT_SEP}jour" if abs(count) <= 1 else f"{count}{UNIT_SEP}jours"
