"""The portal's wire format: dates, amounts and the typed answers Relais reads."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DATE_FORMAT = "%Y-%m-%d"
# The older spelling of date-times, read as Paris time: `histoStatutDatePassage` has been
# recorded as "2018-04-19 11:08" (Pastell). The search results' `dateHeureEtatCourant`
# arrives as ISO 8601 with seconds, milliseconds and an offset
# ("2019-07-11T15:45:39.674+02:00", Pastell's recorded answers; go-choruspro types it as
# time.Time). Which fields use which spelling today is not documented: read both everywhere.
DATETIME_FORMAT = "%Y-%m-%d %H:%M"


class UnreadableValue(ValueError):
    """A date, date-time or number of the portal's answer that Relais cannot read."""

    def __init__(self, name: str, value: Any) -> None:
        super().__init__(f"{name} illisible : {value!r}"[:300])
        self.name, self.value = name, value


def parse_datetime(value: Any, name: str = "date-time") -> dt.datetime | None:
    """Read a portal date-time as an aware UTC datetime, whichever way it is spelt.

    ISO 8601 with or without seconds, fraction, offset or `Z`; "YYYY-MM-DD HH:MM"; a bare
    date (midnight). Without an offset the time is Paris time, the portal's clock (an
    inference: the portal's pages show Paris time).
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UnreadableValue(name, value)
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise UnreadableValue(name, value) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(dt.UTC)


def parse_date(value: Any, name: str = "date") -> dt.date | None:
    """Read a portal date; one sent as a date-time is the Paris day of that moment."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise UnreadableValue(name, value) from exc
    moment = parse_datetime(value, name)
    assert moment is not None
    return moment.astimezone(PARIS).date()


def format_datetime(value: dt.datetime) -> str:
    """Write a search filter as real clients do: ISO 8601 with its offset, in Paris time.

    go-choruspro sends RFC 3339; Pastell sends ISO dates with a time ("T23:59:59").
    """
    if value.tzinfo is None:
        raise ValueError("naive datetime: the portal's clock is Paris time, pass an aware one")
    return value.astimezone(PARIS).isoformat(timespec="seconds")


def format_date(value: dt.date) -> str:
    return value.strftime(DATE_FORMAT)


def window_end(now: dt.datetime) -> dt.datetime:
    """The last whole minute before now: a search window that changes cannot reach into.

    The portal's filter works to the minute, so a change stamped in the current minute
    could slip into a walk already under way; the next sync starts from this bound again.
    """
    return now.astimezone(dt.UTC).replace(second=0, microsecond=0) - dt.timedelta(minutes=1)


def parse_amount(value: Any, name: str = "montant") -> Decimal | None:
    """Amounts arrive as JSON numbers; read them as Decimal (never float)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnreadableValue(name, value)
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise UnreadableValue(name, value) from exc
    if not amount.is_finite():
        raise UnreadableValue(name, value)
    return amount


def _optional_int(value: Any, name: str = "identifiant") -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise UnreadableValue(name, value) from exc


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
        """One search result; UnreadableValue names the first field that cannot be read."""
        return cls(
            portal_id=_required_int(row.get("identifiantFactureCPP"), "identifiantFactureCPP"),
            number=str(row.get("numeroFacture") or ""),
            status=str(row.get("statut") or ""),
            status_changed_at=parse_datetime(
                row.get("dateHeureEtatCourant"), "dateHeureEtatCourant"
            ),
            status_comment=row.get("commentaireEtatCourant") or None,
            recipient_siret=str(row.get("codeDestinataire") or ""),
            recipient_name=row.get("designationDestinataire"),
            recipient_portal_id=_optional_int(row.get("idDestinataire"), "idDestinataire"),
            service_code=row.get("codeServiceExecutant") or None,
            service_name=row.get("nomServiceExecutant") or None,
            type=row.get("typeFacture"),
            billing_framework=row.get("cadreFacturation") or None,
            engagement_number=row.get("numeroBonCommande") or None,
            invoice_date=parse_date(row.get("dateFacture"), "dateFacture"),
            deposit_date=parse_date(row.get("dateDepot"), "dateDepot"),
            currency=row.get("devise"),
            amount_excl_tax=parse_amount(row.get("montantHT"), "montantHT"),
            amount_incl_tax=parse_amount(row.get("montantTTC"), "montantTTC"),
            amount_to_pay=parse_amount(row.get("montantAPayer"), "montantAPayer"),
            deposit_mode=row.get("modeDepot"),
            raw=row,
        )


@dataclass(frozen=True)
class UnreadableInvoice:
    """A search result whose fields cannot be read: the sync skips it, logs and counts it,
    and does not move its watermark past it (its time, when readable, says from where)."""

    portal_id: int | None
    reason: str
    status_changed_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any, error: UnreadableValue) -> UnreadableInvoice:
        fields = row if isinstance(row, dict) else {}
        portal_id = changed_at = None
        with suppress(UnreadableValue):
            portal_id = _optional_int(fields.get("identifiantFactureCPP"))
        with suppress(UnreadableValue):
            changed_at = parse_datetime(fields.get("dateHeureEtatCourant"))
        return cls(portal_id, str(error), changed_at)


def read_invoice(row: Any) -> InvoiceSummary | UnreadableInvoice:
    if not isinstance(row, dict):
        return UnreadableInvoice.of(row, UnreadableValue("facture", row))
    try:
        return InvoiceSummary.from_wire(row)
    except UnreadableValue as error:
        return UnreadableInvoice.of(row, error)


def paging_value(body: dict[str, Any], block: str, name: str) -> int | None:
    """A paging field, inside its block or at the top level, null tolerated.

    go-choruspro reads `parametresRetour`; Pastell saw the fields at the top level; the
    portal's own API pages show them at the top level and null ("CODE PAR DEFAUT")."""
    nested = body.get(block)
    for source in (nested if isinstance(nested, dict) else {}, body):
        value = source.get(name)
        if value not in (None, ""):
            with suppress(TypeError, ValueError):
                return int(value)
    return None


@dataclass(frozen=True)
class SearchPage:
    """One page of a supplier search; paging values are None when the portal gave none."""

    invoices: list[InvoiceSummary | UnreadableInvoice]
    page: int | None
    pages: int | None
    total: int | None
    per_page: int | None

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> SearchPage:
        rows = body.get("listeFactures") or []
        if not isinstance(rows, list):
            raise UnreadableValue("listeFactures", type(rows).__name__)
        return cls(
            invoices=[read_invoice(row) for row in rows],
            page=paging_value(body, "parametresRetour", "pageCourante"),
            pages=paging_value(body, "parametresRetour", "pages"),
            total=paging_value(body, "parametresRetour", "total"),
            per_page=paging_value(body, "parametresRetour", "nbResultatsParPage"),
        )

    @classmethod
    def empty(cls) -> SearchPage:
        return cls([], None, 0, 0, None)


def _required_int(value: Any, name: str) -> int:
    number = _optional_int(value, name)
    if number is None:
        raise UnreadableValue(name, value)
    return number
