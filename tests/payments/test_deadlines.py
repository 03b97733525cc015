"""Payment deadlines from status histories, against hand-checked dates."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.payments.deadlines import PaymentTerms, RecipientCategory, payment_terms
from backend.timeutil import PARIS

pytestmark = pytest.mark.nodb

TODAY = dt.date(2025, 6, 1)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def terms(*history: tuple[str | int, dt.datetime], **kwargs: object) -> PaymentTerms:
    kwargs.setdefault("today", TODAY)
    return payment_terms(history, **kwargs)  # type: ignore[arg-type]


AVAILABLE_3_MARCH = [("DEPOSEE", at(2025, 3, 3, 8)), ("MISE_A_DISPOSITION", at(2025, 3, 3, 9))]


@pytest.mark.parametrize(
    ("category", "due"),
    [
        # 3 March + 30: 28 days to 31 March, 2 more -> 2 April.
        (RecipientCategory.STATE_AND_LOCAL, dt.date(2025, 4, 2)),
        # 3 March + 50: 28 to 31 March, 22 more -> 22 April.
        (RecipientCategory.HEALTH, dt.date(2025, 4, 22)),
        # 3 March + 60: 28 to 31 March, 30 to 30 April, 2 more -> 2 May.
        (RecipientCategory.PUBLIC_ENTERPRISE, dt.date(2025, 5, 2)),
    ],
)
def test_due_date_per_category(category: RecipientCategory, due: dt.date) -> None:
    result = terms(*AVAILABLE_3_MARCH, category=category)
    assert result.start_date == dt.date(2025, 3, 3)
    assert result.due_date == due
    assert category.legal_reference in result.explanation[1]


def test_default_category_is_thirty_days() -> None:
    assert RecipientCategory.default().days == 30
    assert terms(*AVAILABLE_3_MARCH).due_date == dt.date(2025, 4, 2)


def test_suspension_stops_the_clock_and_resumes() -> None:
    # Suspended 10 -> 15 March: 5 days; 2 April + 5 -> 7 April.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("COMPLETEE", at(2025, 3, 15)),
        ("MISE_EN_PAIEMENT", at(2025, 4, 7)),
    )
    assert result.suspended_days == 5
    assert result.due_date == dt.date(2025, 4, 7)
    assert not result.is_late
    assert any("5\u00a0jours s'ajoutent" in line for line in result.explanation)


def test_processing_status_ends_a_suspension_without_completee() -> None:
    # Suspended 10 March, MANDATEE 20 March: 10 days; 2 April + 10 -> 12 April.
    result = terms(
        *AVAILABLE_3_MARCH, ("SUSPENDUE", at(2025, 3, 10)), ("MANDATEE", at(2025, 3, 20))
    )
    assert result.due_date == dt.date(2025, 4, 12)


def test_open_suspension_gives_a_provisional_due_date() -> None:
    # Suspended since 10 March, today 20 March: 10 days so far -> 12 April; 23 days will
    # remain after resumption (10 March -> 2 April).
    result = terms(*AVAILABLE_3_MARCH, ("SUSPENDUE", at(2025, 3, 10)), today=dt.date(2025, 3, 20))
    assert result.due_date == dt.date(2025, 4, 12)
    assert result.days_until_due == 23
    assert any("provisoire" in line for line in result.explanation)


def test_only_the_first_suspension_counts() -> None:
    # First: 10 -> 15 March (5 days). The second (20 -> 30 March) is not allowed by the code.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("COMPLETEE", at(2025, 3, 15)),
        ("SUSPENDUE", at(2025, 3, 20)),
        ("COMPLETEE", at(2025, 3, 30)),
    )
    assert result.due_date == dt.date(2025, 4, 7)
    assert len(result.suspensions) == 1
    assert any("qu'une seule fois" in line for line in result.explanation)


def test_suspension_after_the_deadline_does_not_revive_it() -> None:
    # Due 2 April; suspended 5 -> 8 April; paid 10 April: 8 days late (3 -> 10 April).
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 4, 5)),
        ("COMPLETEE", at(2025, 4, 8)),
        ("MISE_EN_PAIEMENT", at(2025, 4, 10)),
    )
    assert result.due_date == dt.date(2025, 4, 2)
    assert result.days_late == 8


def test_period_across_29_february_2024() -> None:
    # 10 Feb 2024 + 30: 19 days to 29 Feb (leap year), 11 more -> 11 March 2024.
    result = terms(("MISE_A_DISPOSITION", at(2024, 2, 10)), today=dt.date(2024, 3, 1))
    assert result.due_date == dt.date(2024, 3, 11)
    # Same in 2023: 18 days to 28 Feb, 12 more -> 12 March 2023.
    result = terms(("MISE_A_DISPOSITION", at(2023, 2, 10)), today=dt.date(2023, 3, 1))
    assert result.due_date == dt.date(2023, 3, 12)


def test_payment_on_the_deadline_day_is_not_late() -> None:
    result = terms(*AVAILABLE_3_MARCH, ("MISE_EN_PAIEMENT", at(2025, 4, 2, 23)))
    assert result.is_paid
    assert result.payment_date == dt.date(2025, 4, 2)
    assert (result.is_late, result.days_late, result.days_until_due) == (False, 0, None)


def test_payment_one_day_late() -> None:
    result = terms(*AVAILABLE_3_MARCH, ("MISE_EN_PAIEMENT", at(2025, 4, 3)))
    assert (result.is_late, result.days_late) == (True, 1)
    assert "du 3 avril 2025 au 3 avril 2025 inclus" in result.explanation[-1]


def test_unpaid_invoice_late_today_or_not_yet_due() -> None:
    late = terms(*AVAILABLE_3_MARCH, today=dt.date(2025, 4, 12))
    assert (late.is_late, late.days_late, late.days_until_due) == (True, 10, None)
    pending = terms(*AVAILABLE_3_MARCH, today=dt.date(2025, 3, 28))
    assert (pending.is_late, pending.days_late, pending.days_until_due) == (False, 0, 5)


def test_out_of_order_history_gives_the_same_terms() -> None:
    ordered = [
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("COMPLETEE", at(2025, 3, 15)),
        ("MANDATEE", at(2025, 4, 1)),
        ("MISE_EN_PAIEMENT", at(2025, 4, 9)),
    ]
    # Reversed, and a MANDATEE reported after the payment (as some recipients do).
    shuffled = [*reversed(ordered), ("MANDATEE", at(2025, 4, 20))]
    assert terms(*shuffled) == terms(*ordered)
    assert terms(*ordered).days_late == 2  # due 7 April, paid 9 April


def test_unknown_codes_are_ignored() -> None:
    # An unknown code between SUSPENDUE and COMPLETEE neither ends nor breaks the suspension.
    result = terms(
        ("WHATEVER", at(2025, 3, 1)),
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("NOUVEAU_CODE_PORTAIL", at(2025, 3, 12)),
        ("COMPLETEE", at(2025, 3, 15)),
    )
    assert result.start_date == dt.date(2025, 3, 3)
    assert result.due_date == dt.date(2025, 4, 7)


def test_rejected_invoice_has_no_deadline() -> None:
    result = terms(*AVAILABLE_3_MARCH, ("REJETEE", at(2025, 3, 20)), today=dt.date(2025, 5, 1))
    assert result.rejected
    assert (result.due_date, result.is_late, result.days_late) == (None, False, 0)
    assert not result.has_deadline


def test_deposit_is_the_fallback_start() -> None:
    # No availability reported: deposit on 1 March + 30 -> 31 March.
    result = terms(("DEPOSEE", at(2025, 3, 1)), ("EN_COURS_ACHEMINEMENT", at(2025, 3, 2)))
    assert result.due_date == dt.date(2025, 3, 31)
    assert "déposée sur le portail" in result.explanation[0]


def test_days_are_paris_calendar_days_and_reform_codes_are_understood() -> None:
    # 2 March 23:30 UTC is 3 March 00:30 in Paris; 203 is the reform code of availability.
    utc = dt.datetime(2025, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert terms((203, utc)).start_date == dt.date(2025, 3, 3)


def test_invoice_not_yet_received_has_no_deadline() -> None:
    result = terms(("BROUILLON", at(2025, 3, 1)))
    assert result.due_date is None
    assert "n'a pas commencé" in result.explanation[0]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        terms(("MISE_A_DISPOSITION", dt.datetime(2025, 3, 3)))
