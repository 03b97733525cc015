"""Payment deadlines of public buyers, derived from an invoice's status history.

Legal basis: Code de la commande publique, R2192-10 to R2192-13 (the period, its start) and
the single suspension of the period when the payment request is incomplete.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from backend.invoices.statuses import Category, normalize_code, status_info
from backend.payments.formatting import format_date, format_days
from backend.timeutil import PARIS, paris_today

# R2192-12 starts the period when the buyer receives the payment request, i.e. for a portal
# invoice when it becomes available to the recipient (MISE_A_DISPOSITION). Some recipients
# never report that status; deposit and routing happen the same day or just before, so they
# are the best evidence of receipt we have (R2192-13: an uncertain receipt date must not
# delay the period). The first availability counts, even after a recycling, because the
# buyer's entity already held the invoice then.
AVAILABLE = "MISE_A_DISPOSITION"
START_FALLBACKS = frozenset({"DEPOSEE", "EN_COURS_ACHEMINEMENT"})
# A_COMPLETER shares the reform's lifecycle code 208 (Suspendue) with SUSPENDUE.
SUSPENSIONS = frozenset({"SUSPENDUE", "A_COMPLETER"})
REJECTED = "REJETEE"
PAID = "MISE_EN_PAIEMENT"
# Reform code 212 (Encaissée) proves payment too; it comes after the release of funds, so it
# is only used when the portal never reported MISE_EN_PAIEMENT.
CASHED = "212"
# After a suspension, COMPLETEE or any later processing (or payment) status means the clock
# runs again, even when COMPLETEE itself was never reported.
RESUMING = frozenset({Category.IN_PROGRESS, Category.PAID})


class RecipientCategory(enum.Enum):
    """Kind of public buyer, which sets the maximum payment period."""

    STATE_AND_LOCAL = (
        30,
        "État, collectivités territoriales et leurs établissements publics administratifs",
        "R2192-10",
    )
    HEALTH = (50, "Établissements publics de santé", "R2192-11")
    PUBLIC_ENTERPRISE = (60, "Entreprises publiques", "R2192-10")

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
class Suspension:
    """An interval during which the payment period stood still."""

    start: dt.date
    end: dt.date | None  # None: still suspended

    def days(self, today: dt.date) -> int:
        return max(0, ((self.end or today) - self.start).days)


@dataclass(frozen=True)
class PaymentTerms:
    """Everything a supplier wants to know about when an invoice is due and whether it is late."""

    category: RecipientCategory
    today: dt.date
    rejected: bool = False
    start_date: dt.date | None = None
    suspensions: tuple[Suspension, ...] = ()
    suspended_days: int = 0
    due_date: dt.date | None = None
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


Event = tuple[str, dt.date]


def _events(history: Iterable[tuple[str | int, dt.datetime]]) -> list[Event]:
    """Normalize codes, convert instants to Paris calendar days, sort chronologically."""
    timed = []
    for code, occurred_at in history:
        if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
            raise ValueError(f"occurred_at must be timezone-aware: {occurred_at!r}")
        timed.append((occurred_at, normalize_code(code)))
    timed.sort(key=lambda item: item[0])  # stable: same-instant entries keep their order
    return [(code, occurred_at.astimezone(PARIS).date()) for occurred_at, code in timed]


def _first(events: list[Event], codes: Iterable[str]) -> dt.date | None:
    wanted = frozenset(codes)
    return next((day for code, day in events if code in wanted), None)


def _resumes(code: str) -> bool:
    info = status_info(code)
    return info is not None and info.category in RESUMING


def _suspensions(events: list[Event]) -> list[Suspension]:
    """Pair each suspension with the next status showing that processing resumed."""
    found: list[Suspension] = []
    opened: dt.date | None = None
    for code, day in events:
        if code in SUSPENSIONS:
            opened = day if opened is None else opened
        elif opened is not None and _resumes(code):
            found.append(Suspension(opened, day))
            opened = None
    if opened is not None:
        found.append(Suspension(opened, None))
    return found


def _counted_suspension(
    found: list[Suspension], start: dt.date, days: int, payment: dt.date | None
) -> tuple[Suspension | None, list[str]]:
    """Keep the first suspension that can legally stop the clock; explain the others.

    The code allows a single suspension. Counting only the first follows the text and never
    lets a buyer stretch the period by suspending again; a suspension after the period has
    expired (or after payment) cannot revive it.
    """
    counted: Suspension | None = None
    notes: list[str] = []
    for item in found:
        ended_before = item.end is not None and item.end <= start
        after_payment = payment is not None and item.start > payment
        if ended_before or after_payment:
            continue
        clipped = Suspension(max(item.start, start), item.end)
        if counted is not None:
            notes.append(
                f"Suspension du {format_date(item.start)} non prise en compte : "
                "le délai ne peut être suspendu qu'une seule fois."
            )
        elif clipped.start > start + dt.timedelta(days=days):
            notes.append(
                f"Suspension du {format_date(item.start)} non prise en compte : "
                "le délai de paiement était déjà expiré."
            )
        else:
            counted = clipped
    return counted, notes


def _start_line(events: list[Event], start: dt.date) -> str:
    if _first(events, {AVAILABLE}) == start:
        return (
            f"Facture mise à disposition du destinataire le {format_date(start)} : "
            "le délai de paiement court à partir de ce jour."
        )
    return (
        f"Facture déposée sur le portail le {format_date(start)} (sa mise à disposition "
        "du destinataire n'est pas connue) : le délai de paiement court à partir de ce jour."
    )


def _suspension_line(suspension: Suspension, today: dt.date) -> str:
    if suspension.end is None:
        return (
            f"Délai suspendu depuis le {format_date(suspension.start)} (facture incomplète) : "
            "il reprendra quand la facture sera complétée."
        )
    return (
        f"Délai suspendu du {format_date(suspension.start)} au {format_date(suspension.end)} "
        f"(facture incomplète) : {format_days(suspension.days(today))} s'ajoutent au délai."
    )


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
    events = [(code, day) for code, day in _events(history) if status_info(code) is not None]
    if any(code == REJECTED for code, _ in events):
        line = "Facture rejetée : aucun délai de paiement ne court pour elle."
        return PaymentTerms(category, today, rejected=True, explanation=(line,))
    payment = _first(events, {PAID}) or _first(events, {CASHED})
    start = _first(events, {AVAILABLE}) or _first(events, START_FALLBACKS)
    if start is None:
        line = "La facture n'est pas encore parvenue au destinataire : le délai n'a pas commencé."
        return PaymentTerms(category, today, payment_date=payment, explanation=(line,))
    return _terms_from(events, category, today, start, payment)


def _terms_from(
    events: list[Event],
    category: RecipientCategory,
    today: dt.date,
    start: dt.date,
    payment: dt.date | None,
) -> PaymentTerms:
    """Build the terms of an invoice whose period has started."""
    suspension, notes = _counted_suspension(_suspensions(events), start, category.days, payment)
    suspended = suspension.days(today) if suspension else 0
    due = start + dt.timedelta(days=category.days + suspended)
    # While suspended, the due date moves one day per day: it is only provisional.
    provisional = " provisoire" if suspension and suspension.end is None else ""
    lines = [
        _start_line(events, start),
        f"Délai global de paiement : {format_days(category.days)} "
        f"({category.label_fr} ; {category.legal_reference}).",
        *([_suspension_line(suspension, today)] if suspension else []),
        *notes,
        f"Date limite de paiement{provisional} : {format_date(due)}.",
        _outcome_line(due, payment, today),
    ]
    reference = payment or today
    late = reference > due
    return PaymentTerms(
        category,
        today,
        start_date=start,
        suspensions=(suspension,) if suspension else (),
        suspended_days=suspended,
        due_date=due,
        payment_date=payment,
        is_late=late,
        days_late=max(0, (reference - due).days),
        days_until_due=(due - today).days if payment is None and not late else None,
        explanation=tuple(lines),
    )
