"""Payment notifications: deadline coming, deadline passed, paid late — each sent exactly once."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import func, select

from backend import ingest
from backend.accounts.models import Role
from backend.db import db
from backend.invoices import service
from backend.payments import jobs
from backend.payments.models import PaymentNotice
from backend.push.models import Delivery, Device, Notification, NotificationPreference
from backend.timeutil import PARIS, paris_today
from tests.factories import MembershipFactory, UserFactory, make_invoice
from tests.payments_api.conftest import Payments, ago, received


def _morning() -> dt.datetime:
    return dt.datetime.combine(paris_today(), dt.time(9), tzinfo=PARIS).astimezone(dt.UTC)


def _run(app: Flask, now: dt.datetime | None = None) -> None:
    """One run of the scheduled job, in a session of its own, as the scheduler does it."""
    db.session.remove()
    days_before = app.extensions["relais_config"].payment_reminder_days
    jobs.payment_reminders(db.session, now or _morning(), days_before)
    db.session.commit()
    db.session.remove()


def _notes(kind: str, user_id: int | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    if user_id is not None:
        query = query.where(Notification.user_id == user_id)
    return list(db.session.scalars(query))


def test_reminders_are_sent_once_across_runs_and_restarts(app: Flask, payments: Payments) -> None:
    just_late = make_invoice(payments.mine, payments.town, received(33), number="F-DEPASSEE").id
    due_soon = payments.due_soon.id
    db.session.add(Device(user_id=payments.me.id, token="t" * 40, platform="android"))
    db.session.commit()
    _run(app, _morning().replace(hour=4))  # 05:00 in Paris: nobody is woken up
    assert _notes("payment_due_soon") == []
    _run(app)
    _run(app)
    _run(app)
    soon = _notes("payment_due_soon")
    assert [n.invoice_id for n in soon] == [due_soon]
    assert soon[0].category == "payment"
    assert soon[0].title == "Facture F-BIENTOT : échéance dans 3\u00a0jours"
    assert "aucune étape de paiement" in soon[0].body
    late = _notes("payment_overdue")
    # F-RETARD passed its deadline ten days ago: old news, not pushed.
    assert [n.invoice_id for n in late] == [just_late]
    assert "délai de paiement dépassé" in late[0].title
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery))
    assert deliveries == 2
    claimed = db.session.scalars(select(PaymentNotice.kind).order_by(PaymentNotice.kind))
    # The fixture's invoice paid five days late was notified when its payment was recorded.
    assert list(claimed) == ["due_soon", "overdue", "paid_late"]


def test_no_reminder_once_a_payment_step_was_seen(app: Flask, payments: Payments) -> None:
    due_soon = payments.due_soon.id
    make_invoice(
        payments.mine,
        payments.town,
        [*received(27), ("MANDATEE", ago(1))],
        number="F-MANDATEE",
    )
    _run(app)
    assert [n.invoice_id for n in _notes("payment_due_soon")] == [due_soon]


def _record(payments: Payments, portal_id: int, changes: list[tuple[str, dt.datetime]]) -> None:
    data = service.InvoiceRecord(
        portal_id=portal_id, number="F-TARD", recipient_siret=payments.town.siret
    )
    ins = [service.ChangeIn(code, when) for code, when in changes]
    ingest.record(db.session, payments.mine.id, data, ins, source="test")
    db.session.commit()


def test_paid_late_notice_once_with_the_amounts(app: Flask, payments: Payments) -> None:
    invoice = make_invoice(payments.mine, payments.town, received(40), number="F-TARD")
    invoice_id, portal_id = invoice.id, invoice.portal_id
    paid = [*received(40), ("MISE_EN_PAIEMENT", ago(0))]
    for changes in (paid, paid, [*paid, ("MANDATEE", ago(0, 12))]):
        _record(payments, portal_id, changes)
    db.session.remove()
    _run(app)
    notes = [n for n in _notes("payment_paid_late") if n.invoice_id == invoice_id]
    assert len(notes) == 1
    assert notes[0].title == "Facture F-TARD : payée avec 10\u00a0jours de retard"
    assert "d'intérêts moratoires et 40,00\u00a0€ d'indemnité forfaitaire" in notes[0].body
    assert _notes("payment_overdue") == []


def test_users_who_switched_payment_off_get_nothing(app: Flask, payments: Payments) -> None:
    me = payments.me.id
    clerk = UserFactory(locale="en")
    quiet = UserFactory()
    MembershipFactory(user=clerk, structure=payments.mine, role=Role.USER)
    MembershipFactory(user=quiet, structure=payments.mine, role=Role.USER)
    clerk_id, quiet_id = clerk.id, quiet.id
    db.session.add(
        NotificationPreference(user_id=quiet_id, structure_id=payments.mine.id, payment=False)
    )
    db.session.commit()
    _run(app)
    assert len(_notes("payment_due_soon", me)) == 1
    english = _notes("payment_due_soon", clerk_id)
    assert english[0].title == "Invoice F-BIENTOT: due in 3 days"
    assert _notes("payment_due_soon", quiet_id) == []
