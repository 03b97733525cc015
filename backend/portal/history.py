"""Typed answers of the history and structure calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from backend.portal.wire import UnreadableValue, paging_value, parse_date, parse_datetime


@dataclass(frozen=True)
class StatusEvent:
    """One dated status of an invoice; fields follow invoices.service.ChangeIn."""

    code: str
    occurred_at: dt.datetime
    comment: str | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class InvoiceHistory:
    """The consulter/historique answer: current status and every dated status, oldest first.

    `pages` is the number of history pages the portal announced (None: not said)."""

    portal_id: int
    number: str | None
    current_status: str
    events: list[StatusEvent]
    pages: int | None = None

    @classmethod
    def from_wire(cls, body: dict[str, Any], portal_id: int) -> InvoiceHistory:
        block = body.get("historiquesDesStatuts") or {}
        events = [_event(entry) for entry in block.get("histoStatut") or []]
        return cls(
            portal_id=int(body.get("idFacture") or portal_id),
            number=body.get("numeroFacture"),
            current_status=str(body.get("statutCourantCode") or ""),
            events=_in_time_order(events),
            pages=paging_value(body, "historiquesDesStatuts", "pagesHistoStatut"),
        )

    @classmethod
    def merge(cls, pages: list[InvoiceHistory]) -> InvoiceHistory:
        """One history from its pages, each status once."""
        events = {(e.code, e.occurred_at, e.event_id): e for page in pages for e in page.events}
        first = pages[0]
        return cls(
            first.portal_id, first.number, first.current_status,
            _in_time_order(list(events.values())), len(pages),
        )  # fmt: skip


def _event(entry: Any) -> StatusEvent:
    if not isinstance(entry, dict) or not entry.get("histoStatutCode"):
        raise UnreadableValue("histoStatut", entry)
    occurred_at = parse_datetime(entry.get("histoStatutDatePassage"), "histoStatutDatePassage")
    if occurred_at is None:
        raise UnreadableValue("histoStatutDatePassage", None)
    event_id = entry.get("histoStatutId")
    return StatusEvent(
        code=str(entry["histoStatutCode"]),
        occurred_at=occurred_at,
        comment=entry.get("histoStatutCommentaire") or None,
        event_id=event_id if isinstance(event_id, int) else None,
    )


def _in_time_order(events: list[StatusEvent]) -> list[StatusEvent]:
    # The portal sorts newest first by default; order does not carry meaning, time does.
    return sorted(events, key=lambda e: (e.occurred_at, e.event_id or 0))


@dataclass(frozen=True)
class StructureInfo:
    """The structures/v1/consulter answer: identity and the directory flags."""

    structure_id: int
    identifier: str
    name: str
    service_code_required: bool
    engagement_required: bool
    engagement_or_service: bool
    payment_status_not_reported: bool
    technical_password_expires_on: dt.date | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def requirement(self) -> str:
        """What an invoice must carry, in OCA's order: see research §4.3."""
        if self.engagement_or_service:
            return "service_or_engagement"
        if self.service_code_required and self.engagement_required:
            return "service_and_engagement"
        if self.service_code_required:
            return "service"
        return "engagement" if self.engagement_required else "none"

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> StructureInfo:
        info = body.get("informationGenerales") or {}
        params = body.get("parametres") or {}
        return cls(
            structure_id=int(info.get("idStructureCPP") or 0),
            identifier=str(info.get("identifiantStructure") or ""),
            name=str(info.get("raisonSocialeStructure") or info.get("libelleStructure") or ""),
            service_code_required=bool(params.get("codeServiceDoitEtreRenseigne")),
            engagement_required=bool(params.get("numeroEJDoitEtreRenseigne")),
            engagement_or_service=bool(params.get("gestionNumeroEJOuCodeService")),
            payment_status_not_reported=bool(params.get("statutMiseEnPaiementNestPasRemonte")),
            technical_password_expires_on=parse_date(info.get("dateExpirationMotPasseCompteTech")),
            raw=body,
        )
