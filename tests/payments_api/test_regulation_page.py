"""The regulation page's worked examples are what the code computes, step by step."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from backend.payments.deadlines import RecipientCategory, payment_terms
from backend.payments.interest import late_payment_interest
from backend.timeutil import PARIS

pytestmark = pytest.mark.nodb

PAGE = Path(__file__).parents[2] / "docs_site/docs/reglementation/delais-de-paiement.md"


def _plain(text: str) -> str:
    text = text.replace("^er^", "er").replace("**", "")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_worked_example_matches_the_core() -> None:
    page = _plain(PAGE.read_text(encoding="utf-8"))
    result = late_payment_interest(Decimal("1200.00"), dt.date(2025, 3, 31), dt.date(2025, 4, 30))
    for step in result.steps:
        assert _plain(step) in page, step
    assert "au moins cinq fournisseurs différents" in page


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2025, month, day, 10, tzinfo=PARIS)


def test_interruption_example_matches_the_core() -> None:
    page = _plain(PAGE.read_text(encoding="utf-8"))
    history = [
        ("MISE_A_DISPOSITION", _at(3, 3)),
        ("SUSPENDUE", _at(3, 25)),
        ("COMPLETEE", _at(4, 1)),
        ("MISE_EN_PAIEMENT", _at(5, 10)),
    ]
    terms = payment_terms(history, RecipientCategory.STATE_AND_LOCAL, today=dt.date(2025, 6, 1))
    for line in terms.explanation[2:5]:
        assert _plain(line) in page, line
    assert terms.due_date is not None and terms.payment_date is not None
    result = late_payment_interest(Decimal("5000.00"), terms.due_date, terms.payment_date)
    assert f"9 / 365 = {result.interest}".replace(".", ",") + " €" in page
    assert f"{result.total} €".replace(".", ",") in page
    sixty = payment_terms(
        history[:3], RecipientCategory.PUBLIC_ENTERPRISE, today=dt.date(2025, 6, 1)
    )
    assert sixty.due_date == dt.date(2025, 5, 9) and "jusqu'au 9 mai 2025" in page


def test_the_page_links_the_official_sources() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000037701019" in text
    assert "key_ecb_interest_rates" in text
    for article in ("R2192-10", "R2192-11", "R2192-27", "R2192-29", "D2192-35", "R2192-36"):
        assert article in text, article
    assert "suspendu une fois" not in text and "s'ajoutent au délai" not in text
