"""French plurals and due days: one rule for every count a person reads (e-mails, pages,
exports, notifications)."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 place », « 0 place », « 3 places »: in French, below two is singular."""
    word = singular if abs(count) < 2 else plural_form or f"{singular}s"
    return f"{count} {word}"


def days_from_now(days: int) -> str:
    """When something falls due: « aujourd'hui », « demain », « dans 12 jours »."""
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    return f"dans {plural(days, 'jour')}"
