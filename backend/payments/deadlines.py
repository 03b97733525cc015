"""Payment deadlines of public buyers, derived from an invoice's status history.

Code de la commande publique:
- L2192-10 and R2192-10: every pouvoir adjudicateur pays within 30 days;
- R2192-11: 50 days for public health establishments and the armed forces' health service,
  60 days for public enterprises (except those that are local public establishments);
- R2192-12 and R2192-15: the period runs from the receipt of the payment request; for an
  invoice sent through the portal, the day the buyer is told it is available there;
- R2192-14: when the receipt is not recorded, the request's date plus two days;
- R2192-27 to R2192-29: one interruption, then a new period (`interruption.py`);
- L2192-13: the delay runs from the day after the period expired.
R2192-13 (a request received before the service was done runs from the service) is not
applied: the portal does not say when the service was done.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from backend.invoices.statuses import normalize_code, status_info
from backend.payments.formatting import format_date, format_days
from backend.payments.interruption import DocumentRequest, Interruption, payment_period
from backend.payments.milestones import (
    AVAILABLE,
    BEFORE_RECEIPT,
    CASHED,
    DOCUMENTS_REQUESTED,
    PAID,
    PAYMENT_ORDER,
    PRESUMED_RECEIPT_DAYS,
    REQUESTED,
    closes_unpaid,
    documents_received,
)
from backend.timeutil import PARIS, paris_today


class RecipientCategory(enum.Enum):
    """Kind of public buyer, which sets the maximum payment period."""

    STATE_AND_LOCAL = (
        30,
        "État, collectivités territoriales, établissements publics et autres pouvoirs "
        "adjudicateurs",
        "R2192-10",
    )
    HEALTH = (
        50,
        "Établissements publics de santé et établissements du service de santé des armées",
        "R2192-11",
    )
    PUBLIC_ENTERPRISE = (
        60,
        "Entreprises publiques, hors établissements publics locaux",
        "R2192-11",
    )

    def __init__(self, days: int, label_fr: str, article: str) -> None:
        self.days = days
        self.label_fr = label_fr
        self.article = article

    @property
    def legal_reference(self) -> str:
        return f"article {self.article} du Code de la commande publique"

    @classmethod
    def default(cls) -> RecipientCategory:
        """The most common (and shortest) period, for buyers of unknown kind."""
        return cls.STATE_AND_LOCAL


@dataclass(frozen=True)
class PaymentTerms:
    """Everything a supplier wants to know about when an invoice is due and whether it is late."""

    category: RecipientCategory
    today: dt.date
    rejected: bool = False  # closed unpaid: rejected, refused, cancelled, replaced…
    start_date: dt.date | None = None
    interruption: Interruption | None = None
    due_date: dt.date | None = None  # provisional while the documents are awaited
    payment_date: dt.date | None = None
    is_late: bool = False
    days_late: int = 0
    days_until_due: int | None = None
    explanation: tuple[str, ...] = ()

    @property
    def is_paid(self) -> bool:
        return self.payment_date is not None

    @property
    def has_deadline(self) -> bool:
        return self.due_date is not None

    @property
    def awaiting_documents(self) -> bool:
        """Interrupted, and the new period has not opened yet: the due date is provisional."""
        return self.interruption is not None and self.interruption.end is None

    @property
    def suspensions(self) -> tuple[Interruption, ...]:
        """The interruption as a list of at most one (the API's and migration 0007's shape)."""
        return (self.interruption,) if self.interruption else ()

    @property
    def suspended_days(self) -> int:
        """How long the documents were awaited: information only, never added to the period."""
        return self.interruption.days(self.today) if self.interruption else 0


Event = tuple[str, dt.date]


def _events(history: Iterable[tuple[str | int, dt.datetime]]) -> list[Event]:
    """Known codes, normalized, as Paris calendar days, in chronological order."""
    timed = []
    for code, occurred_at in history:
        if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
            raise ValueError(f"occurred_at must be timezone-aware: {occurred_at!r}")
        timed.append((occurred_at, normalize_code(code)))
    timed.sort(key=lambda item: item[0])  # stable: same-instant entries keep their order
    days = [(code, occurred_at.astimezone(PARIS).date()) for occurred_at, code in timed]
    return [(code, day) for code, day in days if status_info(code) is not None]


def _first(events: list[Event], codes: Iterable[str]) -> dt.date | None:
    wanted = frozenset(codes)
    return next((day for code, day in events if code in wanted), None)


def _start(events: list[Event]) -> tuple[dt.date, str] | None:
    """When the period starts, and the sentence that says why; None before any request."""
    available = _first(events, {AVAILABLE})
    if available is not None:
        return available, (
            f"Facture mise à disposition du destinataire le {format_date(available)} : le "
            "délai de paiement court à partir de ce jour (article R2192-15)."
        )
    requested = _first(events, REQUESTED)
    if requested is None:
        return None
    presumed = requested + dt.timedelta(days=PRESUMED_RECEIPT_DAYS)
    # A status the buyer set shows it held the invoice by that day, whatever the presumption.
    held = next((day for code, day in events if code not in BEFORE_RECEIPT), None)
    if held is not None and requested <= held < presumed:
        return held, (
            f"Facture déposée sur le portail le {format_date(requested)}, sa mise à disposition "
            f"n'est pas connue ; le destinataire l'a traitée le {format_date(held)}, il l'avait "
            "donc reçue : le délai de paiement court à partir de ce jour."
        )
    return presumed, (
        f"Facture déposée sur le portail le {format_date(requested)}, sa mise à disposition "
        "n'est pas connue : le délai de paiement court de la date de la demande augmentée de "
        f"deux jours, le {format_date(presumed)} (article R2192-14)."
    )


def _requests(events: list[Event]) -> list[DocumentRequest]:
    """Pair each suspension with the status showing the documents arrived."""
    found: list[DocumentRequest] = []
    opened: DocumentRequest | None = None
    ordered = False
    for code, day in events:
        if code in DOCUMENTS_REQUESTED:
            opened = opened or DocumentRequest(day, None, after_payment_order=ordered)
            continue
        if opened is not None and documents_received(code):
            found.append(DocumentRequest(opened.notified, day, opened.after_payment_order))
            opened = None
        if code in (PAID, CASHED):
            return found  # once paid, nothing is left to interrupt
        ordered = ordered or code in PAYMENT_ORDER
    return [*found, opened] if opened else found


def _outcome_line(due: dt.date, payment: dt.date | None, today: dt.date) -> str:
    if payment is not None and payment <= due:
        return f"Mise en paiement le {format_date(payment)} : dans le délai, aucun retard."
    if payment is not None:
        return (
            f"Mise en paiement le {format_date(payment)} : "
            f"{format_days((payment - due).days)} de retard "
            f"(du {format_date(due + dt.timedelta(days=1))} au {format_date(payment)} inclus)."
        )
    if today > due:
        return f"Non payée au {format_date(today)} : {format_days((today - due).days)} de retard."
    if today == due:
        return f"Non payée au {format_date(today)} : la date limite de paiement est aujourd'hui."
    return f"Non payée au {format_date(today)} : il reste {format_days((due - today).days)}."


def payment_terms(
    history: Iterable[tuple[str | int, dt.datetime]],
    category: RecipientCategory | None = None,
    *,
    today: dt.date | None = None,
) -> PaymentTerms:
    """Compute an invoice's payment deadline and delay from its status history."""
    category = category or RecipientCategory.default()
    today = today or paris_today()
    events = _events(history)
    closing = next((code for code, _ in events if closes_unpaid(code)), None)
    if closing is not None:
        label = status_info(closing).label_fr  # type: ignore[union-attr]
        line = (
            f"Facture au statut « {label} » : le destinataire ne la paiera pas, aucun délai de "
            "paiement ne court pour elle."
        )
        return PaymentTerms(category, today, rejected=True, explanation=(line,))
    payment = _first(events, {PAID}) or _first(events, {CASHED})
    start = _start(events)
    if start is None:
        line = "La facture n'est pas encore parvenue au destinataire : le délai n'a pas commencé."
        return PaymentTerms(category, today, payment_date=payment, explanation=(line,))
    return _terms_from(events, category, today, start, payment)


def _terms_from(
    events: list[Event],
    category: RecipientCategory,
    today: dt.date,
    start: tuple[dt.date, str],
    payment: dt.date | None,
) -> PaymentTerms:
    """Build the terms of an invoice whose period has started."""
    start_date, start_line = start
    period = payment_period(start_date, category.days, _requests(events))
    interruption, due = period.interruption, period.due_date
    if due is None:
        # Documents awaited (a payment would have ended the wait): the new period opens on
        # their receipt, today at the earliest.
        assert interruption is not None
        due = max(today, interruption.start) + dt.timedelta(days=interruption.new_days)
        due_line = (
            f"Date limite de paiement provisoire : {format_date(due)}, si les pièces sont "
            "reçues aujourd'hui."
        )
        outcome = "Délai interrompu : pas de retard tant que les pièces ne sont pas reçues."
    else:
        due_line = f"Date limite de paiement : {format_date(due)}."
        outcome = _outcome_line(due, payment, today)
    lines = (
        start_line,
        f"Délai global de paiement : {format_days(category.days)} "
        f"({category.label_fr} ; {category.legal_reference}).",
        *period.steps,
        due_line,
        outcome,
    )
    reference = payment or today
    late = reference > due
    return PaymentTerms(
        category,
        today,
        start_date=start_date,
        interruption=interruption,
        due_date=due,
        payment_date=payment,
        is_late=late,
        days_late=max(0, (reference - due).days),
        days_until_due=(due - today).days if payment is None and not late else None,
        explanation=lines,
    )
