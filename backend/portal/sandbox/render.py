"""Sandbox rows written in the portal's wire format, in today's spelling or the older one.

Documented (DOMAIN.md, with its sources): search results' `dateHeureEtatCourant` in ISO 8601
with milliseconds and offset (Pastell's recorded answers, go-choruspro's types); history
dates as "YYYY-MM-DD HH:MM" (recorded by Pastell); an empty search answered with codeRetour
20000 (Pastell); paging fields at the answer's top level (Pastell, the portal's API pages)
or in `parametresRetour` (go-choruspro); the history's paging fields in
`historiquesDesStatuts` (go-choruspro's types).
Our inference: which calls use which spelling today (the older one, "legacy", is what this
sandbox used to speak: both stay tested); that an empty search comes with HTTP 200; that
the history serves 200 statuses when not asked for a size.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.portal.endpoints import CODE_NO_RESULT
from backend.portal.sandbox.store import from_text
from backend.portal.wire import DATETIME_FORMAT, PARIS

SUCCESS = {"codeRetour": 0, "libelle": "GCU_MSG_01_000"}
NO_RESULT = {
    "codeRetour": CODE_NO_RESULT,
    "libelle": "TRA_MSG_00.015 La recherche n'a retourné aucun résultat",
}


@dataclass(frozen=True)
class WireStyle:
    """How the sandbox spells its answers."""

    name: str
    iso_datetimes: bool  # dateHeureEtatCourant in ISO 8601 with milliseconds and offset
    paging_at_top: bool  # paging fields at the top level, not in parametresRetour
    empty_code: bool  # an empty search answers codeRetour 20000


CURRENT = WireStyle("current", iso_datetimes=True, paging_at_top=True, empty_code=True)
LEGACY = WireStyle("legacy", iso_datetimes=False, paging_at_top=False, empty_code=False)
STYLES = {style.name: style for style in (CURRENT, LEGACY)}


def paris(text: str) -> str:
    """Stored UTC text -> the portal's "YYYY-MM-DD HH:MM" Paris time."""
    return from_text(text).astimezone(PARIS).strftime(DATETIME_FORMAT)


def iso(text: str) -> str:
    """Stored UTC text -> ISO 8601 in Paris time, milliseconds and offset."""
    return from_text(text).astimezone(PARIS).isoformat(timespec="milliseconds")


def amount(text: str) -> float:
    # JSON has no decimal type; the client reads numbers back with parse_float=Decimal,
    # and two-decimal amounts survive the float's shortest repr exactly.
    return float(Decimal(text))


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def invoice(row: sqlite3.Row, style: WireStyle = CURRENT) -> dict[str, Any]:
    """One element of listeFactures in rechercher/fournisseur."""
    return _compact({
        "identifiantFactureCPP": row["id"],
        "numeroFacture": row["number"],
        "typeFacture": row["type"],
        "typeDemandePaiement": "FACTURE",
        "statut": row["status"],
        "dateHeureEtatCourant": (iso if style.iso_datetimes else paris)(row["status_at"]),
        "commentaireEtatCourant": row["status_comment"],
        "dateDepot": row["deposit_date"],
        "dateFacture": row["invoice_date"],
        "devise": row["currency"],
        "montantHT": amount(row["amount_ht"]),
        "montantTTC": amount(row["amount_ttc"]),
        "montantAPayer": amount(row["amount_to_pay"]),
        "idDestinataire": row["recipient_id"],
        "codeDestinataire": row["recipient_siret"],
        "designationDestinataire": row["recipient_name"],
        "idServiceExecutant": row["service_id"],
        "codeServiceExecutant": row["service_code"],
        "nomServiceExecutant": row["service_name"],
        "numeroBonCommande": row["engagement"],
        "codeFournisseur": row["supplier_siret"],
        "designationFournisseur": row["supplier_name"],
        "typeIdentifiantFournisseur": "SIRET",
        "modeDepot": row["deposit_mode"],
        "rejetTraite": False,
    })  # fmt: skip


def search(
    rows: list[sqlite3.Row], page: int, per_page: int, total: int, style: WireStyle = CURRENT
) -> dict[str, Any]:
    if not total and style.empty_code:
        return dict(NO_RESULT)
    pages = (total + per_page - 1) // per_page
    paging = {"nbResultatsParPage": per_page, "pageCourante": page, "pages": pages, "total": total}
    found = [invoice(r, style) for r in rows]
    if style.paging_at_top:
        return {**SUCCESS, **paging, "listeFactures": found}
    return {**SUCCESS, "parametresRetour": paging, "listeFactures": found}


def history(
    inv: sqlite3.Row, events: list[sqlite3.Row], page: int, per_page: int, total: int
) -> dict[str, Any]:
    """One page of the consulter/historique answer, newest status first."""
    entries = [
        _compact({
            "histoStatutId": e["id"],
            "histoStatutCode": e["code"],
            "histoStatutDatePassage": paris(e["at"]),
            "histoStatutCommentaire": e["comment"],
        })
        for e in events
    ]  # fmt: skip
    return {
        **SUCCESS,
        "idFacture": inv["id"],
        "numeroFacture": inv["number"],
        "modeDepot": inv["deposit_mode"],
        "statutCourantCode": inv["status"],
        "historiquesDesStatuts": {
            "histoStatut": entries,
            "nbResultatsParPageHistoStatut": per_page,
            "pageCouranteHistoStatut": page,
            "pagesHistoStatut": max(1, (total + per_page - 1) // per_page),
            "totalHistoStatut": total,
        },
    }


def consulted_invoice(inv: sqlite3.Row, recipient: sqlite3.Row) -> dict[str, Any]:
    """The consulter/fournisseur answer: the invoice's blocks a supplier reads (research §2.4).

    The recipient's `address` holds the street line, then its complement on a second line."""
    street, _, complement = (recipient["address"] or "").partition("\n")
    destinataire = _compact({
        "idDestinataire": inv["recipient_id"],
        "codeDestinataire": inv["recipient_siret"],
        "libelleDestinataire": inv["recipient_name"],
        "idServiceExecutant": inv["service_id"],
        "codeServiceExecutant": inv["service_code"],
        "libelleServiceExecutant": inv["service_name"],
        "adresseDestinataireDetail": street or None,
        "adresseDestinataireComplement1": complement or None,
        "adresseDestinataireCodePostal": recipient["postal_code"],
        "adresseDestinataireVille": recipient["city"],
        "adresseDestinataireCodePays": "FR",
        "adresseDestinataireLibellePays": "France",
    })  # fmt: skip
    facture = {
        "identifiantFactureCPP": inv["id"],
        "numeroFacture": inv["number"],
        "statutFacture": inv["status"],
        "modeDepot": inv["deposit_mode"],
        "cadreDeFacturation": {"codeCadreFacturation": inv["framework"]},
        "destinataire": destinataire,
        "fournisseur": {"codeFournisseur": inv["supplier_siret"],
                        "designationFournisseur": inv["supplier_name"]},
        "references": _compact({"dateFacture": inv["invoice_date"],
                                "dateDepot": inv["deposit_date"], "typeFacture": inv["type"],
                                "codeDeviseFacture": inv["currency"],
                                "numeroBonCommande": inv["engagement"]}),
        "montantTotal": {"montantHtTotal": amount(inv["amount_ht"]),
                         "montantTtcTotal": amount(inv["amount_ttc"]),
                         "montantAPayer": amount(inv["amount_to_pay"])},
    }  # fmt: skip
    return {**SUCCESS, "facture": facture}


def structure(row: sqlite3.Row, password_expires_on: str | None) -> dict[str, Any]:
    """The structures/v1/consulter answer."""
    public = row["kind"] == "public"
    info = _compact({
        "idStructureCPP": row["id"],
        "identifiantStructure": row["siret"],
        "typeIdentifiantStructure": "SIRET",
        "raisonSocialeStructure": row["name"],
        "libelleStructure": row["name"],
        "emailStructure": row["email"],
        "structurePriveePublique": "PUBLIQUE" if public else "PRIVEE",
        "dateExpirationMotPasseCompteTech": password_expires_on,
    })  # fmt: skip
    params = {
        "codeServiceDoitEtreRenseigne": bool(row["service_code_required"]),
        "numeroEJDoitEtreRenseigne": bool(row["engagement_required"]),
        "gestionNumeroEJOuCodeService": bool(row["engagement_or_service"]),
        "statutMiseEnPaiementNestPasRemonte": bool(row["payment_not_reported"]),
        "connexionEDI": False,
        "estMoaUniquement": False,
    }
    address = _compact({"adresse": row["address"], "codePostal": row["postal_code"],
                        "ville": row["city"], "pays": "FR"})  # fmt: skip
    return {**SUCCESS, "informationGenerales": info, "parametres": params,
            "adressePostaleDuSiege": address}  # fmt: skip


def parse_window(value: Any) -> dt.datetime | None:
    """A filter's date-time, as UTC: ISO 8601 (as real clients send it) or the older
    "YYYY-MM-DD HH:MM"; without an offset, Paris time. ValueError if malformed."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) < 16:
        raise ValueError(value)
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(dt.UTC)
