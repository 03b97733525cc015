"""E-mail addresses as Relais compares them: one spelling per address."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """Trimmed and lower-cased: « Claire@Example.fr » and « claire@example.fr » are one person."""
    return email.strip().lower()
