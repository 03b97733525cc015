"""Sandbox rows written in the portal's wire format."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from typing import Any

from backend.portal.sandbox.store import from_text
from backend.portal.wire import DATETIME_FORMAT, PARIS

SUCCESS = {"codeRetour": 0, "libelle": "GCU_MSG_01_000"}


def paris(text: str) -> str:
    """Stored UTC text -> the portal's "YYYY-MM-DD HH:MM" Paris time."""
    return from_text(text).astimezone(PARIS).strftime(DATETIME_FORMAT)


def amount(text: str) -> float:
    # JSON has no decimal type; the client reads numbers back with parse_float=Decimal,
    # and two-decimal amounts survive the float's shortest repr exactly.
    return float(Decimal(text))


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def invoice(row: sqlite3.Row) -> dict[str, Any]:
    """One element of listeFactures in rechercher/fournisseur."""
    return _compact({
        "identifiantFactureCPP": row["id"],
        "numeroFacture": row["number"],
        "typeFacture": row["type"],
        "typeDemandePaiement": "FACTURE",
        "statut": row["status"],
        "dateHeureEtatCourant": paris(row["status_at"]),
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


def search(rows: list[sqlite3.Row], page: int, per_page: int, total: int) -> dict[str, Any]:
    pages = (total + per_page - 1) // per_page
    paging = {"nbResultatsParPage": per_page, "pageCourante": page, "pages": pages, "total": total}
    return {**SUCCESS, "parametresRetour": paging, "listeFactures": [invoice(r) for r in rows]}


def history(inv: sqlite3.Row, events: list[sqlite3.Row]) -> dict[str, Any]:
    """The consulter/historique answer, newest status first."""
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
        "historiquesDesStatuts": {"totalHistoStatut": len(entries), "histoStatut": entries},
    }


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
    """A "YYYY-MM-DD HH:MM" Paris date-time from a request, as UTC; ValueError if malformed."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) != 16:
        raise ValueError(value)
    local = dt.datetime.strptime(value, DATETIME_FORMAT).replace(tzinfo=PARIS)
    return local.astimezone(dt.UTC)
