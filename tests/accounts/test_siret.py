import pytest

from backend.siret import is_valid_siret, make_siret

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a real SIRET (Luhn over 14 digits and over the SIREN)
        "35600000000048",  # La Poste head office: ordinary Luhn rules
        "35600000049837",  # La Poste establishment: sum of digits multiple of 5
    ],
)
def test_valid(siret: str) -> None:
    assert is_valid_siret(siret)


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000075",  # checksum broken
        "7328293200007",  # 13 digits
        "732829320000745",  # 15 digits
        "7328293200007A",  # letter
        "７３２８２９３２００００７４",  # full-width digits
        "35600000049838",  # La Poste establishment, digit sum not a multiple of 5
        "",
    ],
)
def test_invalid(siret: str) -> None:
    assert not is_valid_siret(siret)


def test_siren_must_hold_too() -> None:
    # 14-digit Luhn holds but the SIREN 123456789 does not.
    candidate = next(
        f"123456789{n:05d}"
        for n in range(100000)
        if is_valid_siret.__globals__["luhn_ok"](f"123456789{n:05d}")
    )
    assert not is_valid_siret(candidate)


def test_generated_sirets_are_valid() -> None:
    assert all(is_valid_siret(make_siret(n, e)) for n in range(1, 300) for e in (1, 2, 17))
