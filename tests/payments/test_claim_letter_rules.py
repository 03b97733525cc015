"""The claim letter's rules: amounts stated apart, nothing owed, addressee and service; the PDF
says the same as the text, on one page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from backend.invoices.models import Invoice
from backend.payments.amounts import nothing_to_pay
from backend.payments.interest import late_payment_interest
from backend.payments.interruption import Interruption
from backend.payments.letter import build_letter, letter_pdf, letter_text
from tests.payments.test_letter import DUE, claim

pytestmark = pytest.mark.nodb

PAID = dt.date(2025, 4, 12)  # 12 days late
ADDRESS = "1 avenue de la Préfecture\nCS 24218\n35000 Rennes"


def flat(text: str) -> str:
    """Words separated by single plain spaces (no-break spaces included)."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def to_pay(amount: str, end: dt.date = PAID, **overrides: object) -> str:
    """The letter's text for an invoice of 1 200 € TTC whose amount to pay is `amount`."""
    interest = late_payment_interest(Decimal(amount), DUE, end)
    return flat(letter_text(claim(end, interest=interest, **overrides)))


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), flat(" ".join(page.extract_text() for page in reader.pages))


def test_the_amount_ttc_and_the_amount_to_pay_are_stated_apart() -> None:
    text = to_pay("1000.00")
    assert "Notre facture n° F-2025-042 du 27 février 2025 s'élève à 1 200,00 € TTC" in text
    assert "le montant à payer, sur lequel ont couru les intérêts, était de 1 000,00 €" in text
    assert "Intérêts moratoires : 1 000,00 € × 11,15 % × 12 / 365 = 3,67 €" in text


def test_an_unpaid_invoice_states_what_remains_to_pay() -> None:
    text = to_pay("1000.00", dt.date(2025, 4, 20), payment_date=None)
    assert "s'élève à 1 200,00 € TTC ; le montant restant à payer" in text
    assert "sur lequel courent les intérêts, est de 1 000,00 €" in text
    assert "Elle reste non payée à ce jour, soit 20 jours de retard" in text


def test_an_invoice_of_unknown_amount_ttc_states_its_amount_to_pay() -> None:
    text = to_pay("1000.00", invoice_amount=None)
    assert "TTC" not in text
    assert "Le montant à payer de notre facture n° F-2025-042 du 27 février 2025" in text


@pytest.mark.parametrize("amount", ["0.00", "0"])
def test_nothing_to_pay_gives_no_letter_even_past_the_deadline(amount: str) -> None:
    interest = late_payment_interest(Decimal(amount), DUE, PAID)
    assert interest.is_late and interest.total == Decimal("40.00")  # what the letter asked for
    with pytest.raises(ValueError, match="Nothing to pay"):
        build_letter(claim(PAID, interest=interest))


@pytest.mark.parametrize(
    ("fields", "state", "reason"),
    [
        ({"type": "AVOIR"}, "credit_note", "Avoir"),
        ({"billing_framework": "A2"}, "nothing_to_pay", "déjà payée (cadre de facturation A2)"),
        ({"amount_to_pay": Decimal("0.00")}, "nothing_to_pay", "montant à payer"),
        (
            {"amount_to_pay": None, "amount_incl_tax": Decimal("0.00")},
            "nothing_to_pay",
            "montant à payer",
        ),
        ({"amount_to_pay": Decimal("-12.00")}, "nothing_to_pay", "montant à payer"),
    ],
)
def test_invoices_with_nothing_to_pay(fields: dict[str, object], state: str, reason: str) -> None:
    values: dict[str, object] = {
        "type": "FACTURE",
        "billing_framework": "A1",
        "amount_incl_tax": Decimal("1200.00"),
        "amount_to_pay": Decimal("1200.00"),
    }
    found = nothing_to_pay(Invoice(**(values | fields)))
    assert found is not None and found.state == state and reason in found.reason


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"amount_to_pay": Decimal("0.01")},
        {"amount_to_pay": None},  # not told: the amount TTC is owed
        {"type": "ACOMPTE", "billing_framework": "A9"},
    ],
)
def test_invoices_with_something_to_pay(fields: dict[str, object]) -> None:
    values: dict[str, object] = {
        "type": "FACTURE",
        "billing_framework": "A1",
        "amount_incl_tax": Decimal("1200.00"),
        "amount_to_pay": Decimal("1200.00"),
    }
    assert nothing_to_pay(Invoice(**(values | fields))) is None


def recipient_block(**overrides: object) -> tuple[str, ...]:
    return build_letter(claim(PAID, **overrides)).recipient


def test_the_addressee_with_its_service_and_address() -> None:
    block = recipient_block(recipient_address=ADDRESS, recipient_service="Direction des routes")
    assert block == (
        "Commune de Villeurbanne",
        "Service : Direction des routes",
        "1 avenue de la Préfecture",
        "CS 24218",
        "35000 Rennes",
    )


def test_the_addressee_without_service_nor_address() -> None:
    assert recipient_block(recipient_address="", recipient_service="") == (
        "Commune de Villeurbanne",
    )
    assert recipient_block(recipient_address=ADDRESS, recipient_service="")[1] == (
        "1 avenue de la Préfecture"
    )
    assert recipient_block(recipient_address="", recipient_service="Voirie") == (
        "Commune de Villeurbanne",
        "Service : Voirie",
    )


def test_the_pdf_says_what_the_text_says_on_one_page() -> None:
    interruption = Interruption(
        dt.date(2025, 3, 10), dt.date(2025, 3, 14), balance_days=21, new_days=30
    )
    data = claim(
        PAID,
        interest=late_payment_interest(Decimal("1000.00"), DUE, PAID),
        recipient_address=ADDRESS,
        recipient_service="Direction des routes",
        interruption=interruption,
    )
    pages, text = pdf_text(letter_pdf(data))
    assert pages == 1
    for expected in (
        "Commune de Villeurbanne",
        "Service : Direction des routes",
        "1 avenue de la Préfecture",
        "CS 24218",
        "35000 Rennes",
        "s'élève à 1 200,00 € TTC",
        "était de 1 000,00 €",
        "Vous avez interrompu ce délai le 10 mars 2025",
        "3,67 € + 40,00 € = 43,67 €",
    ):
        assert expected in text, expected
