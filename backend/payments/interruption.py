"""The payment period and its single interruption when the payment request is incomplete.

Code de la commande publique:
- R2192-27: when the payment request lacks documents or mentions required by law or by the
  contract, or they are wrong or inconsistent, the buyer may interrupt the period once only;
  a buyer with a public accountant only before the payment order (« ordonnancement »);
- R2192-28: the interruption is notified to the supplier, with its reasons and the documents
  to supply, by any means giving a certain date of receipt;
- R2192-29: from the receipt of all the documents a new period opens: thirty days, or the
  balance left on the day the notification was received if that balance is over thirty days.
The period is not suspended: the days the documents were awaited are not added back.

Where the texts are silent, Relais reads them as follows (our inference, not their words):
- the notification is received on the day the invoice is suspended (the portal shows the
  suspension and its reason to the supplier at once); a later receipt could only shorten the
  balance, so this day gives the longest new period and never a delay claimed too early;
- a buyer that reported its payment order (`milestones.PAYMENT_ORDER`) has a public
  accountant, so a request after it is no interruption; a buyer without one never reports it;
- a request for documents after the period expired interrupts nothing: the delay, and its
  interest, were already running (L2192-13); one settled before the period began neither;
- the first request for documents that the texts allow is the interruption; any later one is
  not a second interruption and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from backend.payments.formatting import format_date, format_days

NEW_PERIOD_DAYS = 30


@dataclass(frozen=True)
class DocumentRequest:
    """The buyer suspended the invoice to ask for documents, and maybe received them."""

    notified: dt.date
    received: dt.date | None  # None: still awaited
    after_payment_order: bool = False


@dataclass(frozen=True)
class Interruption:
    """The one interruption of the period that R2192-27 allows, and the new period it opens."""

    start: dt.date  # the notification was received (R2192-28)
    end: dt.date | None  # all the documents were received (R2192-29); None while awaited
    balance_days: int  # left of the first period on the day of the notification
    new_days: int  # the new period: 30 days, or the balance when longer

    def days(self, today: dt.date) -> int:
        """How long the documents were (or have been) awaited; for information only."""
        return max(0, ((self.end or today) - self.start).days)


@dataclass(frozen=True)
class Period:
    """An invoice's legal payment period, with the steps a person can check by hand."""

    start: dt.date
    days: int
    first_due: dt.date
    interruption: Interruption | None
    due_date: dt.date | None  # None while the documents are awaited
    steps: tuple[str, ...]


def payment_period(start: dt.date, days: int, requests: Iterable[DocumentRequest] = ()) -> Period:
    """Apply R2192-27 to R2192-29 to a period of `days` days from `start`."""
    first_due = start + dt.timedelta(days=days)
    interruption: Interruption | None = None
    steps: list[str] = []
    for request in sorted(requests, key=lambda r: r.notified):
        if request.received is not None and request.received < start:
            continue  # settled before the period began: nothing to interrupt
        refusal = _refusal(request, interruption, first_due)
        if refusal:
            steps.append(refusal)
            continue
        interruption = _interrupt(request, days, first_due)
        steps += _interruption_steps(interruption, first_due)
    if interruption is None:
        return Period(start, days, first_due, None, first_due, tuple(steps))
    due = interruption.end + dt.timedelta(interruption.new_days) if interruption.end else None
    return Period(start, days, first_due, interruption, due, tuple(steps))


def _refusal(request: DocumentRequest, counted: Interruption | None, first_due: dt.date) -> str:
    """Why this request does not interrupt the period, or "" when it does."""
    day = format_date(request.notified)
    if counted is not None:
        return (
            f"Nouvelle suspension le {day} : elle n'interrompt pas le délai, qui ne peut "
            "l'être qu'une seule fois (article R2192-27)."
        )
    if request.after_payment_order:
        return (
            f"Suspension le {day}, après l'ordonnancement (mandatement) de la dépense : "
            "elle n'interrompt pas le délai (article R2192-27)."
        )
    if request.notified > first_due:
        return (
            f"Suspension le {day}, après l'expiration du délai le {format_date(first_due)} : "
            "elle ne l'interrompt pas, le retard courait déjà."
        )
    return ""


def _interrupt(request: DocumentRequest, days: int, first_due: dt.date) -> Interruption:
    # A request notified before the period started leaves the whole period as balance.
    balance = min(days, (first_due - request.notified).days)
    return Interruption(request.notified, request.received, balance, max(NEW_PERIOD_DAYS, balance))


def _interruption_steps(interruption: Interruption, first_due: dt.date) -> list[str]:
    """Two lines: the interruption, then the new period (opened, or still to open)."""
    longer = interruption.new_days > NEW_PERIOD_DAYS
    new = format_days(interruption.new_days) + (", le solde qui restait," if longer else "")
    rule = f" : {format_days(NEW_PERIOD_DAYS)}, ou ce solde s'il est plus long"
    article = f"(article R2192-29{rule if longer else ''})"
    interrupted = (
        f"Facture suspendue le {format_date(interruption.start)} (pièces demandées) : "
        f"le délai est interrompu (article R2192-27) ; il restait "
        f"{format_days(interruption.balance_days)} avant la date limite initiale du "
        f"{format_date(first_due)}."
    )
    if interruption.end is None:
        awaited = f"Pièces attendues : un nouveau délai de {new} courra à compter de leur "
        return [interrupted, f"{awaited}réception {article}."]
    return [
        interrupted,
        f"Pièces reçues le {format_date(interruption.end)} : un nouveau délai de {new} court "
        f"à compter de ce jour {article}.",
    ]
