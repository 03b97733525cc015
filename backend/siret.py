"""SIRET validation, exactly as the domain brief states it."""

from __future__ import annotations

LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"


def luhn_ok(digits: str) -> bool:
    """True when the Luhn checksum of a digit string holds."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    """14 digits; Luhn over all 14 and over the SIREN, except La Poste's establishments."""
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        return False
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        return sum(int(c) for c in value) % 5 == 0
    return luhn_ok(value) and luhn_ok(value[:9])


def luhn_complete(prefix: str) -> str:
    """Append the digit that makes `prefix` Luhn-valid."""
    for digit in "0123456789":
        if luhn_ok(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable")


def make_siret(serial: int, establishment: int = 1) -> str:
    """A valid SIRET derived from two numbers (demo data and tests)."""
    siren = luhn_complete(f"{(serial * 7919 + 10_000_000) % 100_000_000:08d}")
    if siren == LA_POSTE_SIREN:
        siren = luhn_complete(f"{(serial * 7919 + 10_000_001) % 100_000_000:08d}")
    return luhn_complete(f"{siren}{establishment:04d}")
