"""The single interruption of the payment period (R2192-27 to R2192-29), by hand and by law."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.payments.deadlines import RecipientCategory, payment_terms
from backend.payments.interruption import DocumentRequest, payment_period
from backend.timeutil import PARIS

pytestmark = pytest.mark.nodb

MARCH_3 = dt.date(2025, 3, 3)


def test_without_request_the_period_is_the_first_one() -> None:
    period = payment_period(MARCH_3, 30)
    assert (period.first_due, period.due_date, period.interruption, period.steps) == (
        dt.date(2025, 4, 2),
        dt.date(2025, 4, 2),
        None,
        (),
    )


def test_the_new_period_runs_from_the_receipt_of_the_documents() -> None:
    request = DocumentRequest(dt.date(2025, 3, 25), dt.date(2025, 4, 1))
    period = payment_period(MARCH_3, 30, [request])
    assert period.due_date == dt.date(2025, 5, 1)
    assert period.interruption is not None
    assert period.interruption.balance_days == 8
    assert period.interruption.days(dt.date(2025, 6, 1)) == 7


def test_awaited_documents_leave_no_due_date() -> None:
    period = payment_period(MARCH_3, 60, [DocumentRequest(dt.date(2025, 3, 25), None)])
    assert period.due_date is None
    assert period.interruption is not None and period.interruption.new_days == 38
    assert "courra à compter de leur réception" in period.steps[-1]


def test_refused_requests_say_why() -> None:
    after_order = DocumentRequest(dt.date(2025, 3, 20), dt.date(2025, 3, 22), True)
    late = DocumentRequest(dt.date(2025, 4, 5), dt.date(2025, 4, 8))
    period = payment_period(MARCH_3, 30, [late, after_order])
    assert (period.interruption, period.due_date) == (None, dt.date(2025, 4, 2))
    assert "après l'ordonnancement" in period.steps[0]
    assert "après l'expiration du délai le 2 avril 2025" in period.steps[1]


# Properties, written from the texts rather than from the code:
# - R2192-10/11: the buyer has its whole period: never due before start + period;
# - R2192-27: only a request notified while the period runs (from its start to its last day)
#   and, for a buyer with a public accountant, before the payment order, interrupts it;
# - R2192-29: from the receipt of the documents, 30 days, or the balance left on the day of
#   the notification when that balance is longer.

CATEGORIES = st.sampled_from(list(RecipientCategory))


@dataclass(frozen=True)
class Case:
    category: RecipientCategory
    start: dt.date
    notified: dt.date
    received: dt.date | None
    order: str  # "none", "before" the request, "after" the documents arrived
    later: tuple[tuple[int, int], ...]  # further suspensions: (days after, days waited)

    def history(self) -> list[tuple[str, dt.datetime]]:
        events = [("MISE_A_DISPOSITION", self.start), ("SUSPENDUE", self.notified)]
        if self.order == "before":
            events.append(("MANDATEE", self.notified - dt.timedelta(days=1)))
        if self.received is not None:
            events.append(("COMPLETEE", self.received))
            day = self.received
            for gap, wait in self.later:
                day += dt.timedelta(days=gap)
                events += [("SUSPENDUE", day), ("COMPLETEE", day + dt.timedelta(days=wait))]
                day += dt.timedelta(days=wait)
            if self.order == "after":
                events.append(("MANDATEE", day + dt.timedelta(days=1)))
        return [(code, dt.datetime.combine(day, dt.time(10), PARIS)) for code, day in events]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    category = draw(CATEGORIES)
    start = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 3, 31)))
    notified = start + dt.timedelta(days=draw(st.integers(1, 90)))
    waited = draw(st.none() | st.integers(0, 60))
    received = None if waited is None else notified + dt.timedelta(days=waited)
    order = draw(st.sampled_from(["none", "before", "after"]))
    later = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 30)), max_size=3))
    return Case(category, start, notified, received, order, tuple(later))


TODAY = dt.date(2027, 1, 1)


def law_due_date(case: Case) -> dt.date | None:
    """The due date the texts give; None while the documents of an interruption are awaited."""
    first_due = case.start + dt.timedelta(days=case.category.days)
    interrupts = case.notified <= first_due and case.order != "before"
    if not interrupts:
        return first_due
    if case.received is None:
        return None
    balance = (first_due - case.notified).days
    return case.received + dt.timedelta(days=max(30, balance))


@given(cases())
def test_the_due_date_never_comes_before_what_the_law_gives(case: Case) -> None:
    terms = payment_terms(case.history(), case.category, today=TODAY)
    first_due = case.start + dt.timedelta(days=case.category.days)
    expected = law_due_date(case)
    assert terms.due_date is not None and terms.due_date >= first_due
    if expected is None:
        # Interrupted and waiting: no new period yet, hence no delay.
        assert terms.awaiting_documents and not terms.is_late
        assert terms.due_date >= TODAY + dt.timedelta(days=30)
        return
    assert terms.due_date >= expected, "due earlier than R2192-29 allows"
    assert terms.due_date == expected


@given(cases())
def test_there_is_one_interruption_at_most(case: Case) -> None:
    terms = payment_terms(case.history(), case.category, today=TODAY)
    assert len(terms.suspensions) <= 1
    alone = Case(case.category, case.start, case.notified, case.received, case.order, ())
    assert terms.due_date == payment_terms(alone.history(), case.category, today=TODAY).due_date


@given(cases())
def test_no_interruption_after_the_payment_order(case: Case) -> None:
    if case.order != "before":
        return
    terms = payment_terms(case.history(), case.category, today=TODAY)
    assert terms.interruption is None
    assert terms.due_date == case.start + dt.timedelta(days=case.category.days)
