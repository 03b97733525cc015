"""The claim letter, as text and as PDF."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from backend.payments.formatting import format_eur
from backend.payments.interest import late_payment_interest
from backend.payments.letter import (
    ClaimData,
    FontNotFoundError,
    letter_pdf,
    letter_text,
)

pytestmark = pytest.mark.nodb

DUE = dt.date(2025, 3, 31)


def claim(end: dt.date, paid: bool = True, **overrides: object) -> ClaimData:
    fields: dict[str, object] = {
        "supplier_name": "Atelier Dupont SARL",
        "supplier_address": "12 rue des Lilas\n69003 Lyon",
        "supplier_siret": "73282932000074",
        "recipient_name": "Commune de Villeurbanne",
        "invoice_number": "F-2025-042",
        "invoice_date": dt.date(2025, 2, 27),
        "invoice_amount": Decimal("1200.00"),
        "period_start": dt.date(2025, 3, 1),
        "period_days": 30,
        "period_reference": "article R2192-10 du Code de la commande publique",
        "due_date": DUE,
        "payment_date": end if paid else None,
        "interest": late_payment_interest(Decimal("1200.00"), DUE, end),
        "letter_date": dt.date(2025, 4, 20),
        "recipient_address": "Direction des finances\n69100 Villeurbanne",
        "place": "Lyon",
    }
    fields.update(overrides)
    return ClaimData(**fields)  # type: ignore[arg-type]


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_letter_text_has_the_amounts_and_the_legal_basis() -> None:
    # 12 days late at 11.15 % on 1 200 €: 4.40 € interest + 40 € = 44.40 € (see interest tests).
    text = letter_text(claim(dt.date(2025, 4, 12)))
    for amount in ("1200.00", "4.40", "40.00", "44.40"):
        assert format_eur(Decimal(amount)) in text
    assert "SIRET : 732 829 320 00074" in text
    assert "facture n° F-2025-042 du 27 février 2025" in text
    assert "mise en paiement le 12 avril 2025" in text
    flat = " ".join(text.split())
    assert "a couru à compter du 1er mars 2025" in flat
    assert "interrompu" not in flat
    for article in ("L2192-13", "R2192-10", "R2192-31", "D2192-35", "R2192-36"):
        assert f"article {article}" in flat, article
    assert "R2192-35" not in flat.replace("D2192-35", "")
    assert "de plein droit et sans autre formalité" in flat
    assert "salutations distinguées" in text


def test_letter_for_an_unpaid_invoice() -> None:
    text = letter_text(claim(dt.date(2025, 4, 20), paid=False))
    assert "non payée à ce jour" in text
    assert "courent jusqu'à la mise en paiement du principal" in text


def test_no_letter_without_a_delay() -> None:
    with pytest.raises(ValueError):
        letter_text(claim(DUE))


def test_pdf_has_one_or_two_pages() -> None:
    pdf = letter_pdf(claim(dt.date(2025, 4, 12)))
    assert pdf.startswith(b"%PDF")
    assert 1 <= page_count(pdf) <= 2


def test_pdf_with_long_addresses_stays_short() -> None:
    address = "\n".join(f"Ligne d'adresse n° {i}" for i in range(8))
    pdf = letter_pdf(
        claim(dt.date(2025, 4, 12), supplier_address=address, recipient_address=address)
    )
    assert 1 <= page_count(pdf) <= 2


def test_missing_font_is_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(FontNotFoundError, match="fonts-dejavu-core"):
        letter_pdf(claim(dt.date(2025, 4, 12)), font_dir=tmp_path)
