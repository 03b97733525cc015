"""The password policy: a minimum length, then zxcvbn's score, explained in French."""

from __future__ import annotations

import pytest

from backend.accounts.passwords import MAX_LENGTH, WARNINGS_FR, WeakPassword, check

pytestmark = pytest.mark.nodb


def _reason(password: str, *personal: str) -> str:
    with pytest.raises(WeakPassword) as refused:
        check(password, min_length=10, min_score=3, personal=personal)
    return str(refused.value)


def test_strong_passwords_pass() -> None:
    for password in (
        "ornithorynque cerfeuil parapluie",
        "Tr0ub4dor&3xyz-quokka",
        "gouttière vermeille sablier 7",
    ):
        check(password, min_length=10, min_score=3)


def test_each_refusal_says_why_in_french() -> None:
    assert _reason("court") == "Mot de passe trop court : 10 caractères au minimum."
    assert _reason("x" * (MAX_LENGTH + 1)).startswith("Mot de passe trop long")
    assert "mot de passe très courant" in _reason("azertyuiop")
    assert "une suite de touches voisines" in _reason("qwertyuiop[]")
    assert "une répétition" in _reason("aaaaaaaaaaaa")
    assert "il reprend votre nom ou votre adresse e-mail" in _reason(
        "garnier1990", "lea.garnier@example.fr", "Léa Garnier"
    )


def test_site_words_count_as_guessable() -> None:
    assert "il reprend un mot lié à Relais" in _reason("relaisfacture")
    assert "il reprend un mot lié à Relais" in _reason("motdepasse123")


def test_every_known_warning_is_translated() -> None:
    """zxcvbn's own texts: an upgrade that rewords one shows here."""
    import inspect

    from zxcvbn import feedback

    source = inspect.getsource(feedback)
    for english in WARNINGS_FR:
        first_words = english.split('"')[0][:20]
        assert first_words in source, english


def test_a_long_password_is_scored_quickly() -> None:
    import time

    started = time.monotonic()
    check("ab1!" * 250, min_length=10, min_score=0)
    assert time.monotonic() - started < 2
