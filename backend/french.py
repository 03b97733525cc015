"""French plurals: one rule for every count a person reads (e-mails, pages, exports)."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 place », « 0 place », « 3 places »: in French, below two is singular."""
    word = singular if abs(count) < 2 else plural_form or f"{singular}s"
    return f"{count} {word}"
