"""Is a new password good enough? A minimum length, then zxcvbn's estimate of how easily it
is guessed (dictionaries of common and leaked passwords, names, keyboard patterns, dates,
repetitions, the person's own e-mail and name), score 0 to 4.

zxcvbn explains a weak password in English; people read French: its warnings are
translated here, word for word, and an unknown one gets a general reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zxcvbn import zxcvbn

# zxcvbn's cost grows with the length; beyond this, a password is long enough to be scored
# on its beginning only.
SCORED_LENGTH = 64
MAX_LENGTH = 1024
# Words of this service that a person may be tempted to use.
SITE_WORDS = ("relais", "facture", "factures", "chorus", "portail", "motdepasse")

WARNINGS_FR = {
    "Straight rows of keys are easy to guess.": "une suite de touches voisines se devine vite",
    "Short keyboard patterns are easy to guess.": "un motif de clavier court se devine vite",
    'Repeats like "aaa" are easy to guess.': "une répétition comme « aaa » se devine vite",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        "une répétition comme « abcabcabc » n'est guère plus sûre que « abc »"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': (
        "une suite comme « abc » ou « 6543 » se devine vite"
    ),
    "Recent years are easy to guess.": "une année récente se devine vite",
    "Dates are often easy to guess.": "une date se devine souvent",
    "This is a top-10 common password.": "c'est l'un des 10 mots de passe les plus courants",
    "This is a top-100 common password.": "c'est l'un des 100 mots de passe les plus courants",
    "This is a very common password.": "c'est un mot de passe très courant",
    "This is similar to a commonly used password.": "il ressemble à un mot de passe courant",
    "A word by itself is easy to guess.": "un mot seul se devine vite",
    "Names and surnames by themselves are easy to guess.": (
        "un nom ou un prénom seul se devine vite"
    ),
    "Common names and surnames are easy to guess.": (
        "les noms et prénoms courants se devinent vite"
    ),
}
ADVICE = "Choisissez plutôt plusieurs mots peu courants, sans lien avec vous."


class WeakPassword(ValueError):
    """The password is refused; the message says why, in French."""


def check(password: str, *, min_length: int, min_score: int, personal: Iterable[str] = ()) -> None:
    """Raise WeakPassword unless the password is long and hard enough to guess."""
    if len(password) < min_length:
        raise WeakPassword(f"Mot de passe trop court : {min_length} caractères au minimum.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Mot de passe trop long : {MAX_LENGTH} caractères au maximum.")
    inputs = [*SITE_WORDS, *_personal_words(personal)]
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=inputs, max_length=SCORED_LENGTH)
    if result["score"] >= min_score:
        return
    warning = _own_words(result["sequence"]) or WARNINGS_FR.get(result["feedback"]["warning"])
    reason = f" : {warning}" if warning else " : il serait deviné trop facilement"
    raise WeakPassword(f"Mot de passe trop faible{reason}. {ADVICE}")


def _personal_words(personal: Iterable[str]) -> list[str]:
    """The person's e-mail and name, whole and in pieces (« lea.garnier@ » gives « garnier »)."""
    words: list[str] = []
    for item in personal:
        lowered = item.lower()
        words.append(lowered)
        for piece in lowered.replace("@", " ").replace(".", " ").replace("-", " ").split():
            if len(piece) >= 3:
                words.append(piece)
    return words


def _own_words(sequence: list[dict[str, Any]]) -> str | None:
    """Why a password built on the person's own words, or the site's, is weak."""
    found = {m.get("matched_word") for m in sequence if m.get("dictionary_name") == "user_inputs"}
    if found - set(SITE_WORDS):
        return "il reprend votre nom ou votre adresse e-mail"
    if found:
        return "il reprend un mot lié à Relais ou aux factures"
    return None
