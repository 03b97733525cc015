"""Who a technical account belongs to, and a structure's postal address.

`transverses/v1/recuperer/structures/actives/fournisseur` lists the structures the account's
user is attached to and may read issued invoices of: `listeStructures[]` with
`idStructureCPP`, `designationStructure` and `identifiant` (go-choruspro
`ListeStructuresActivesResponse`). The structure consult's `adressePostaleDuSiege` (`adresse`,
`codePostal`, `ville`, `pays`) is the sandbox's spelling of the head office address (inference:
no recorded answer shows the block).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def _text(value: Any, length: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(value.split())[:length]


@dataclass(frozen=True)
class ActiveStructure:
    """One structure the technical account may act for."""

    portal_id: int
    identifier: str
    name: str

    @classmethod
    def list_from_wire(cls, body: dict[str, Any]) -> list[ActiveStructure]:
        found = []
        for entry in body.get("listeStructures") or []:
            if not isinstance(entry, dict):
                continue
            portal_id = entry.get("idStructureCPP")
            identifier = entry.get("identifiant") or entry.get("identifiantStructure")
            if isinstance(portal_id, int) and isinstance(identifier, str):
                name = _text(entry.get("designationStructure"), 200) or identifier
                found.append(cls(portal_id, identifier.strip(), name))
        return found


@dataclass(frozen=True)
class PostalAddress:
    """A structure's head office address; every part may be missing."""

    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> PostalAddress:
        block = body.get("adressePostaleDuSiege")
        if not isinstance(block, dict):
            return cls()
        lines = str(block.get("adresse") or "").split("\n", 1)
        country = _text(block.get("pays") or block.get("codePays"), 2)
        return cls(
            line1=_text(lines[0], 200),
            line2=_text(lines[1], 200) if len(lines) > 1 else None,
            postal_code=_text(block.get("codePostal"), 10),
            city=_text(block.get("ville"), 120),
            country=country.upper() if country and len(country) == 2 else None,
        )
