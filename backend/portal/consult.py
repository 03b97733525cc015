"""The recipient block of the invoice consult (factures/v1/consulter/fournisseur).

Field names: DOMAIN.md and go-choruspro's `Destinataire` type (`adresseDestinataireDetail`,
`…Complement1`, `…Complement2`, `…CodePostal`, `…Ville`, `…CodePays`, `libelleDestinataire`,
`libelleServiceExecutant`). Values are cut to what Relais stores (`accounts.models.Recipient`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PREFIX = "adresseDestinataire"


def _text(value: Any, length: int) -> str | None:
    """A trimmed string cut to `length`, or None for anything empty or not a string."""
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:length]


@dataclass(frozen=True)
class InvoiceRecipient:
    """Who the invoice is addressed to: the buyer's names and postal address."""

    name: str | None = None
    service_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    @property
    def has_address(self) -> bool:
        """Enough to write on an envelope: a street line or a town."""
        return bool(self.address_line1 or self.city)

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> InvoiceRecipient:
        facture = body.get("facture")
        block = facture.get("destinataire") if isinstance(facture, dict) else None
        if not isinstance(block, dict):
            return cls()
        complements = (_text(block.get(f"{PREFIX}Complement{n}"), 200) for n in (1, 2))
        country = _text(block.get(f"{PREFIX}CodePays"), 3)  # ISO 3166 alpha-2 only
        return cls(
            name=_text(block.get("libelleDestinataire"), 200),
            service_name=_text(block.get("libelleServiceExecutant"), 200),
            address_line1=_text(block.get(f"{PREFIX}Detail"), 200),
            address_line2=_text(", ".join(c for c in complements if c), 200),
            postal_code=_text(block.get(f"{PREFIX}CodePostal"), 10),
            city=_text(block.get(f"{PREFIX}Ville"), 120),
            country=country.upper() if country and len(country) == 2 else None,
        )
