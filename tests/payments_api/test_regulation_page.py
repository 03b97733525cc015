"""The regulation page's worked example is what the code computes, step by step."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from backend.payments.interest import late_payment_interest

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
