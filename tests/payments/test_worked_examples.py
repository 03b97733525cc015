"""DOMAIN.md's two worked examples, from the status history to the amount claimed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from backend.payments.deadlines import RecipientCategory, payment_terms
from backend.payments.formatting import format_eur
from backend.payments.interest import late_payment_interest
from backend.payments.letter import ClaimData, letter_text
from backend.timeutil import PARIS

pytestmark = pytest.mark.nodb

STATE = RecipientCategory.STATE_AND_LOCAL


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 10, tzinfo=PARIS)


INTERRUPTED = [
    ("DEPOSEE", at(3, 3)),
    ("MISE_A_DISPOSITION", at(3, 3)),
    ("SUSPENDUE", at(3, 25)),
    ("COMPLETEE", at(4, 1)),
    ("MISE_EN_PAIEMENT", at(5, 10)),
]


def test_interrupted_invoice_of_5000_euros() -> None:
    # New period from 1 April, due 1 May, paid 10 May: 9 days at 3.15 % + 8 = 11.15 %.
    # 5 000 × 11.15 % × 9 / 365 = 13.746… -> 13.75 €; + 40 € = 53.75 €. Adding the suspended
    # days back instead gave 9 April and 87.35 €: interest that is not owed.
    terms = payment_terms(INTERRUPTED, STATE, today=dt.date(2025, 6, 1))
    assert (terms.due_date, terms.payment_date, terms.days_late) == (
        dt.date(2025, 5, 1),
        dt.date(2025, 5, 10),
        9,
    )
    assert terms.due_date is not None and terms.payment_date is not None
    result = late_payment_interest(Decimal("5000.00"), terms.due_date, terms.payment_date)
    assert result.rate_percent == Decimal("11.15")
    assert (result.interest, result.indemnity, result.total) == (
        Decimal("13.75"),
        Decimal("40.00"),
        Decimal("53.75"),
    )


def test_invoice_of_12000_euros_without_interruption() -> None:
    # Available 3 March, due 2 April, paid 15 May: 43 days; 12 000 × 11.15 % × 43 / 365 =
    # 157.627… -> 157.63 €; + 40 € = 197.63 €.
    history = [("MISE_A_DISPOSITION", at(3, 3)), ("MISE_EN_PAIEMENT", at(5, 15))]
    terms = payment_terms(history, STATE, today=dt.date(2025, 6, 1))
    assert (terms.due_date, terms.days_late) == (dt.date(2025, 4, 2), 43)
    assert terms.due_date is not None and terms.payment_date is not None
    result = late_payment_interest(Decimal("12000.00"), terms.due_date, terms.payment_date)
    assert (result.interest, result.total) == (Decimal("157.63"), Decimal("197.63"))


def test_the_letter_tells_the_buyer_how_the_deadline_was_reached() -> None:
    terms = payment_terms(INTERRUPTED, STATE, today=dt.date(2025, 6, 1))
    assert terms.due_date is not None and terms.payment_date is not None
    assert terms.start_date is not None
    text = letter_text(
        ClaimData(
            supplier_name="Atelier Dupont SARL",
            supplier_address="12 rue des Lilas\n69003 Lyon",
            supplier_siret="73282932000074",
            recipient_name="Préfecture du Rhône",
            invoice_number="F-2025-017",
            invoice_date=dt.date(2025, 3, 3),
            invoice_amount=Decimal("5000.00"),
            period_start=terms.start_date,
            period_days=terms.category.days,
            period_reference=terms.category.legal_reference,
            interruption=terms.interruption,
            due_date=terms.due_date,
            payment_date=terms.payment_date,
            interest=late_payment_interest(
                Decimal("5000.00"), terms.due_date, dt.date(2025, 5, 10)
            ),
            letter_date=dt.date(2025, 6, 1),
        )
    )
    flat = " ".join(text.split())  # str.split() also breaks on no-break spaces
    assert (
        "relève d'un délai de paiement de 30 jours (article R2192-10 du Code de la commande "
        "publique), qui a couru à compter du 3 mars 2025." in flat
    )
    assert "Vous avez interrompu ce délai le 25 mars 2025" in flat
    assert "parvenues le 1er avril 2025, date à laquelle un nouveau délai de 30" in flat
    assert "payée au plus tard le 1er mai 2025" in flat
    assert "avec 9 jours de retard" in flat
    for amount in ("13.75", "40.00", "53.75"):
        assert format_eur(Decimal(amount)) in text
    assert "D2192-35" in text and "R2192-31" in text and "R2192-36" in text
