"""The French words for counts and due days that people read."""

from __future__ import annotations

import pytest

from backend.french import days_from_now, plural

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize(
    ("days", "words"),
    [(0, "aujourd'hui"), (1, "demain"), (2, "dans 2 jours"), (15, "dans 15 jours")],
)
def test_days_from_now(days: int, words: str) -> None:
    assert days_from_now(days) == words


def test_below_two_is_singular() -> None:
    assert [plural(n, "jour") for n in (0, 1, 2)] == ["0 jour", "1 jour", "2 jours"]
