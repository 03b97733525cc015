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
    ("category", "due", "article"),
    [
        # 3 March + 30: 28 days to 31 March, 2 more -> 2 April.
        (RecipientCategory.STATE_AND_LOCAL, dt.date(2025, 4, 2), "R2192-10"),
        # 3 March + 50: 28 to 31 March, 22 more -> 22 April.
        (RecipientCategory.HEALTH, dt.date(2025, 4, 22), "R2192-11"),
        # 3 March + 60: 28 to 31 March, 30 to 30 April, 2 more -> 2 May.
        (RecipientCategory.PUBLIC_ENTERPRISE, dt.date(2025, 5, 2), "R2192-11"),
    ],
)
def test_due_date_per_category(category: RecipientCategory, due: dt.date, article: str) -> None:
    result = terms(*AVAILABLE_3_MARCH, category=category)
    assert result.start_date == dt.date(2025, 3, 3)
    assert result.due_date == due
    assert f"article {article} du Code de la commande publique" in result.explanation[1]
    assert "(article R2192-15)" in result.explanation[0]


def test_default_category_is_thirty_days_for_every_pouvoir_adjudicateur() -> None:
    assert RecipientCategory.default().days == 30
    assert "autres pouvoirs adjudicateurs" in RecipientCategory.default().label_fr
    assert terms(*AVAILABLE_3_MARCH).due_date == dt.date(2025, 4, 2)


def test_interruption_opens_a_new_thirty_day_period() -> None:
    # DOMAIN.md's worked example: suspended 25 March, completed 1 April -> due 1 May, not the
    # 9 April that adding the seven suspended days back to 2 April would give.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 25)),
        ("COMPLETEE", at(2025, 4, 1)),
        ("MISE_EN_PAIEMENT", at(2025, 5, 10)),
    )
    assert result.due_date == dt.date(2025, 5, 1)
    assert (result.is_late, result.days_late) == (True, 9)
    assert result.interruption is not None
    assert (result.interruption.balance_days, result.interruption.new_days) == (8, 30)
    assert result.suspended_days == 7  # shown, never added
    assert result.explanation[2:5] == (
        "Facture suspendue le 25 mars 2025 (pièces demandées) : le délai est interrompu "
        "(article R2192-27) ; il restait 8\u00a0jours avant la date limite initiale du "
        "2 avril 2025.",
        "Pièces reçues le 1er avril 2025 : un nouveau délai de 30\u00a0jours court à compter "
        "de ce jour (article R2192-29).",
        "Date limite de paiement : 1er mai 2025.",
    )


def test_a_balance_over_thirty_days_is_kept() -> None:
    # 60-day buyer: first due 2 May; suspended 25 March with 38 days left; completed 1 April
    # -> 1 April + 38 = 9 May.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 25)),
        ("COMPLETEE", at(2025, 4, 1)),
        category=RecipientCategory.PUBLIC_ENTERPRISE,
    )
    assert result.due_date == dt.date(2025, 5, 9)
    assert any("38\u00a0jours, le solde qui restait" in line for line in result.explanation)


def test_a_balance_under_thirty_days_gives_thirty() -> None:
    # 50-day buyer: first due 22 April; suspended 10 April (12 days left); completed 12 April
    # -> 12 April + 30 = 12 May.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 4, 10)),
        ("COMPLETEE", at(2025, 4, 12)),
        category=RecipientCategory.HEALTH,
    )
    assert result.due_date == dt.date(2025, 5, 12)


def test_a_processing_status_shows_the_documents_arrived() -> None:
    # No COMPLETEE: MANDATEE on 3 April shows the buyer had the documents -> 3 May.
    result = terms(*AVAILABLE_3_MARCH, ("SUSPENDUE", at(2025, 3, 25)), ("MANDATEE", at(2025, 4, 3)))
    assert result.due_date == dt.date(2025, 5, 3)


def test_a_factoring_status_is_not_the_documents_arriving() -> None:
    # 225 (Affacturée) comes from the supplier's side; the documents arrive on 1 April.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 25)),
        (225, at(2025, 3, 27)),
        ("COMPLETEE", at(2025, 4, 1)),
    )
    assert result.due_date == dt.date(2025, 5, 1)
    start = terms(("DEPOSEE", at(2025, 3, 1)), (225, at(2025, 3, 2)))
    assert start.start_date == dt.date(2025, 3, 3)


def test_while_documents_are_awaited_the_due_date_is_provisional_and_nothing_is_late() -> None:
    # Suspended 25 March and still waiting on 20 April, past the first due date (2 April).
    result = terms(*AVAILABLE_3_MARCH, ("SUSPENDUE", at(2025, 3, 25)), today=dt.date(2025, 4, 20))
    assert result.awaiting_documents
    assert result.due_date == dt.date(2025, 5, 20)  # if they arrived today
    assert (result.is_late, result.days_late, result.days_until_due) == (False, 0, 30)
    assert any("provisoire" in line for line in result.explanation)


def test_only_the_first_suspension_interrupts() -> None:
    # First: 10 March (23 days left) -> completed 15 March -> due 14 April. The second
    # (20 -> 30 March) is not a second interruption.
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("COMPLETEE", at(2025, 3, 15)),
        ("SUSPENDUE", at(2025, 3, 20)),
        ("COMPLETEE", at(2025, 3, 30)),
    )
    assert result.due_date == dt.date(2025, 4, 14)
    assert len(result.suspensions) == 1
    assert any("qu'une seule fois (article R2192-27)" in line for line in result.explanation)


def test_a_suspension_after_the_payment_order_does_not_interrupt() -> None:
    # Mandated 20 March, suspended 25 March: the period (due 2 April) runs on; paid 10 April.
    history = [*AVAILABLE_3_MARCH, ("MANDATEE", at(2025, 3, 20)), ("SUSPENDUE", at(2025, 3, 25))]
    waiting = terms(*history, today=dt.date(2025, 3, 28))
    assert waiting.due_date == dt.date(2025, 4, 2)
    assert not waiting.awaiting_documents and waiting.interruption is None
    assert any("après l'ordonnancement" in line for line in waiting.explanation)
    paid = terms(*history, ("COMPLETEE", at(2025, 4, 1)), ("MISE_EN_PAIEMENT", at(2025, 4, 10)))
    assert (paid.due_date, paid.days_late) == (dt.date(2025, 4, 2), 8)


def test_a_suspension_after_the_deadline_does_not_revive_it() -> None:
    # Due 2 April; suspended 5 -> 8 April; paid 10 April: 8 days late (3 -> 10 April).
    result = terms(
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 4, 5)),
        ("COMPLETEE", at(2025, 4, 8)),
        ("MISE_EN_PAIEMENT", at(2025, 4, 10)),
    )
    assert result.due_date == dt.date(2025, 4, 2)
    assert result.days_late == 8
    assert any("après l'expiration du délai" in line for line in result.explanation)


def test_a_suspension_after_the_payment_is_ignored() -> None:
    result = terms(
        *AVAILABLE_3_MARCH, ("MISE_EN_PAIEMENT", at(2025, 4, 5)), ("SUSPENDUE", at(2025, 4, 6))
    )
    assert (result.due_date, result.days_late, result.interruption) == (
        dt.date(2025, 4, 2),
        3,
        None,
    )


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
        ("MISE_EN_PAIEMENT", at(2025, 4, 16)),
    ]
    # Reversed, and a MANDATEE reported after the payment (as some recipients do).
    shuffled = [*reversed(ordered), ("MANDATEE", at(2025, 4, 20))]
    assert terms(*shuffled) == terms(*ordered)
    assert terms(*ordered).days_late == 2  # due 14 April, paid 16 April


def test_unknown_codes_are_ignored() -> None:
    # An unknown code between SUSPENDUE and COMPLETEE neither ends nor breaks the interruption.
    result = terms(
        ("WHATEVER", at(2025, 3, 1)),
        *AVAILABLE_3_MARCH,
        ("SUSPENDUE", at(2025, 3, 10)),
        ("NOUVEAU_CODE_PORTAIL", at(2025, 3, 12)),
        ("COMPLETEE", at(2025, 3, 15)),
    )
    assert result.start_date == dt.date(2025, 3, 3)
    assert result.due_date == dt.date(2025, 4, 14)


@pytest.mark.parametrize(("code", "label"), [("REJETEE", "Rejetée"), (213, "Rejetée (plateforme)")])
def test_an_invoice_closed_unpaid_has_no_deadline(code: str | int, label: str) -> None:
    result = terms(*AVAILABLE_3_MARCH, (code, at(2025, 3, 20)), today=dt.date(2025, 5, 1))
    assert result.rejected
    assert (result.due_date, result.is_late, result.days_late) == (None, False, 0)
    assert not result.has_deadline
    assert f"« {label} »" in result.explanation[0]


def test_every_final_unpaid_status_closes_the_period() -> None:
    # A replaced, refused, cancelled (220) or inadmissible (501) invoice will not be paid
    # either: no delay, no claim.
    for code in ("REMPLACEE_PAR_A22", "ABANDONNEE", "REFUSEE_1", 220, 501):
        assert terms(*AVAILABLE_3_MARCH, (code, at(2025, 3, 20))).rejected, code
    assert not terms(*AVAILABLE_3_MARCH, (212, at(2025, 4, 20))).rejected  # Encaissée


def test_without_availability_the_request_date_plus_two_days_counts() -> None:
    # R2192-14: deposited 1 March, availability never reported -> 3 March + 30 -> 2 April.
    result = terms(("DEPOSEE", at(2025, 3, 1)), ("EN_COURS_ACHEMINEMENT", at(2025, 3, 1, 11)))
    assert result.start_date == dt.date(2025, 3, 3)
    assert result.due_date == dt.date(2025, 4, 2)
    assert "augmentée de deux jours" in result.explanation[0]
    assert "(article R2192-14)" in result.explanation[0]


def test_a_buyer_status_before_the_presumed_receipt_starts_the_period() -> None:
    # The buyer took it up on 2 March: it had the invoice by then -> 2 March + 30 -> 1 April.
    result = terms(("DEPOSEE", at(2025, 3, 1)), ("PRISE_EN_COMPTE_DESTINATAIRE", at(2025, 3, 2)))
    assert result.start_date == dt.date(2025, 3, 2)
    assert result.due_date == dt.date(2025, 4, 1)
    assert "l'a traitée le 2 mars 2025" in result.explanation[0]


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
