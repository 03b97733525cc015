"""The portal's wire format: dates, amounts and the typed answers Relais reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def parse_date(value: str | None) -> dt.date | None:
    """Read a portal date (YYYY-MM-DD)."""
    return dt.datetime.strptime(value[:10], DATE_FORMAT).date() if value else None


def parse_datetime(value: str | None) -> dt.datetime | None:
    """Read a portal date-time (YYYY-MM-DD HH:MM, Paris time) as an aware UTC datetime."""
    if not value:
        return None
    local = dt.datetime.strptime(value[:16], DATETIME_FORMAT).replace(tzinfo=PARIS)
    return local.astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    """Write an aware datetime the way the portal expects it (Paris time, to the minute)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: the portal's clock is Paris time, pass an aware one")
    return value.astimezone(PARIS).strftime(DATETIME_FORMAT)


def format_date(value: dt.date) -> str:
    return value.strftime(DATE_FORMAT)


def window_end(now: dt.datetime) -> dt.datetime:
    """The last whole minute before now: a search window that changes cannot reach into.

    The portal's filter works to the minute, so a change stamped in the current minute
    could slip into a walk already under way; the next sync starts from this bound again.
    """
    return now.astimezone(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)


def parse_amount(value: Any) -> Decimal | None:
    """Amounts arrive as JSON numbers; read them as Decimal (never float)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


@dataclass(frozen=True)
class InvoiceSummary:
    """One line of rechercher/fournisseur; field names follow invoices.service.InvoiceRecord."""

    portal_id: int
    number: str
    status: str
    status_changed_at: dt.datetime | None
    status_comment: str | None
    recipient_siret: str
    recipient_name: str | None = None
    recipient_portal_id: int | None = None
    service_code: str | None = None
    service_name: str | None = None
    type: str | None = None
    billing_framework: str | None = None
    engagement_number: str | None = None
    invoice_date: dt.date | None = None
    deposit_date: dt.date | None = None
    currency: str | None = None
    amount_excl_tax: Decimal | None = None
    amount_incl_tax: Decimal | None = None
    amount_to_pay: Decimal | None = None
    deposit_mode: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    RECORD_FIELDS = (
        "portal_id", "number", "recipient_siret", "recipient_name", "service_code",
        "service_name", "type", "billing_framework", "engagement_number", "invoice_date",
        "deposit_date", "amount_excl_tax", "amount_incl_tax", "amount_to_pay", "deposit_mode",
    )  # fmt: skip

    def record_fields(self) -> dict[str, Any]:
        """Keyword arguments for invoices.service.InvoiceRecord."""
        return {name: getattr(self, name) for name in self.RECORD_FIELDS}

    @classmethod
    def from_wire(cls, row: dict[str, Any]) -> InvoiceSummary:
        return cls(
            portal_id=int(row["identifiantFactureCPP"]),
            number=str(row.get("numeroFacture") or ""),
            status=str(row.get("statut") or ""),
            status_changed_at=parse_datetime(row.get("dateHeureEtatCourant")),
            status_comment=row.get("commentaireEtatCourant") or None,
            recipient_siret=str(row.get("codeDestinataire") or ""),
            recipient_name=row.get("designationDestinataire"),
            recipient_portal_id=_optional_int(row.get("idDestinataire")),
            service_code=row.get("codeServiceExecutant") or None,
            service_name=row.get("nomServiceExecutant") or None,
            type=row.get("typeFacture"),
            billing_framework=row.get("cadreFacturation") or None,
            engagement_number=row.get("numeroBonCommande") or None,
            invoice_date=parse_date(row.get("dateFacture")),
            deposit_date=parse_date(row.get("dateDepot")),
            currency=row.get("devise"),
            amount_excl_tax=parse_amount(row.get("montantHT")),
            amount_incl_tax=parse_amount(row.get("montantTTC")),
            amount_to_pay=parse_amount(row.get("montantAPayer")),
            deposit_mode=row.get("modeDepot"),
            raw=row,
        )


@dataclass(frozen=True)
class SearchPage:
    """One page of a supplier search, with the portal's paging block."""

    invoices: list[InvoiceSummary]
    page: int
    pages: int
    total: int
    per_page: int

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> SearchPage:
        paging = body.get("parametresRetour") or {}
        rows = body.get("listeFactures") or []
        return cls(
            invoices=[InvoiceSummary.from_wire(r) for r in rows],
            page=int(paging.get("pageCourante", 1)),
            pages=int(paging.get("pages", 1 if rows else 0)),
            total=int(paging.get("total", len(rows))),
            per_page=int(paging.get("nbResultatsParPage", len(rows))),
        )
