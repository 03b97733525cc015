"""Status changes become inbox entries and outbox rows, for the right people, at the right time."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select

from backend import ingest
from backend.db import current_session, utcnow
from backend.invoices import service
from backend.push.models import Delivery, Notification, NotificationPreference, NotificationSettings
from tests.conftest import StatementCounter
from tests.push_delivery.conftest import World, add_device


def record(
    world: World, portal_id: int, *changes: tuple[str, dt.datetime], service_code: str = "VOIRIE"
):  # type: ignore[no-untyped-def]
    data = service.InvoiceRecord(
        portal_id=portal_id, number=f"F-{portal_id}", recipient_siret=world.recipient.siret,
        recipient_name=world.recipient.name, service_code=service_code,
    )  # fmt: skip
    result = ingest.record(
        current_session(), world.structure.id, data,
        [service.ChangeIn(code, when) for code, when in changes], source="test",
    )  # fmt: skip
    current_session().commit()
    return result


def ago(minutes: float) -> dt.datetime:
    return utcnow() - dt.timedelta(minutes=minutes)


def notes() -> list[Notification]:
    return list(current_session().scalars(select(Notification).order_by(Notification.id)))


def deliveries() -> list[Delivery]:
    return list(current_session().scalars(select(Delivery).order_by(Delivery.id)))


def test_a_new_status_reaches_every_allowed_user_and_device(world: World) -> None:
    phone = add_device(world.manager, "tok-manager-phone")
    tablet = add_device(world.manager, "tok-manager-tablet", "ios", "en")
    roads_phone = add_device(world.roads_only, "tok-roads")
    add_device(world.outsider, "tok-outsider")
    record(world, 1, ("MISE_A_DISPOSITION", ago(30)))
    record(world, 1, ("SUSPENDUE", ago(1)))
    suspended = [n for n in notes() if n.status_code == "SUSPENDUE"]
    assert {n.user_id for n in suspended} == {world.manager.id, world.roads_only.id}
    mine = next(n for n in suspended if n.user_id == world.manager.id)
    assert mine.title == "Facture F-1 : Suspendue"
    assert mine.body.startswith("Commune de Villeurbanne. Complétez la facture")
    assert mine.category == "action_required"
    assert {d.device_id for d in deliveries() if d.notification_id == mine.id} == {
        phone.id,
        tablet.id,
    }
    assert roads_phone.id in {d.device_id for d in deliveries()}


def test_a_user_restricted_to_another_service_is_not_told(world: World) -> None:
    add_device(world.roads_only, "tok-roads")
    record(world, 2, ("REJETEE", ago(2)), service_code="ECOLES")
    assert {n.user_id for n in notes()} == {world.manager.id}


def test_stale_and_late_changes_go_to_history_only(world: World) -> None:
    record(world, 3, ("MISE_A_DISPOSITION", ago(60 * 30)))  # older than 24 h: a backfill
    assert notes() == []
    record(world, 3, ("MISE_EN_PAIEMENT", ago(10)))
    record(world, 3, ("MANDATEE", ago(20)))  # arrives late, older than the current status
    assert {(n.user_id, n.status_code) for n in notes()} == {
        (world.manager.id, "MISE_EN_PAIEMENT"),
        (world.roads_only.id, "MISE_EN_PAIEMENT"),
    }


def test_preferences_switch_categories_off(world: World) -> None:
    session = current_session()
    session.add(NotificationPreference(
        user_id=world.roads_only.id, structure_id=world.structure.id,
        action_required=True, payment=False, every_change=False,
    ))  # fmt: skip
    session.commit()
    record(world, 4, ("MISE_A_DISPOSITION", ago(5)))
    record(world, 4, ("MISE_EN_PAIEMENT", ago(1)))
    got = {(n.user_id, n.status_code) for n in notes()}
    assert got == {(world.manager.id, "MISE_A_DISPOSITION"), (world.manager.id, "MISE_EN_PAIEMENT")}


def test_quiet_hours_defer_and_action_required_may_bypass(world: World, app_ctx: Flask) -> None:
    add_device(world.manager, "tok-m")
    add_device(world.roads_only, "tok-r")
    now = utcnow().astimezone(dt.UTC)
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    session = current_session()
    for user, bypass in ((world.manager, False), (world.roads_only, True)):
        session.add(NotificationSettings(
            user_id=user.id, time_zone="UTC", quiet_start=start, quiet_end=end,
            quiet_bypass_action_required=bypass,
        ))  # fmt: skip
    session.commit()
    record(world, 5, ("A_RECYCLER", ago(1)))
    by_user = {d.notification.user_id: d for d in deliveries()}
    deferred = by_user[world.manager.id].not_before
    assert deferred > now + dt.timedelta(hours=1, minutes=50)  # the end of quiet hours
    assert by_user[world.roads_only.id].not_before <= utcnow()  # bypass for action required


def test_a_burst_keeps_action_required_steps_and_the_last(world: World) -> None:
    add_device(world.manager, "tok-m")
    record(world, 6, ("SERVICE_FAIT", ago(5)), ("MANDATEE", ago(4)))
    record(world, 7, ("SUSPENDUE", ago(5)), ("COMPLETEE", ago(4)))
    mine = [(n.invoice_id, n.status_code) for n in notes() if n.user_id == world.manager.id]
    codes = [code for _invoice, code in mine]
    assert codes == ["MANDATEE", "SUSPENDUE", "COMPLETEE"]


def test_a_newer_status_replaces_an_unsent_push_but_never_an_action_required_one(
    world: World,
) -> None:
    add_device(world.manager, "tok-m")
    record(world, 8, ("MISE_A_DISPOSITION", ago(9)))
    record(world, 8, ("PRISE_EN_COMPTE_DESTINATAIRE", ago(8)))  # replaces the unsent one
    record(world, 8, ("SUSPENDUE", ago(7)))
    record(world, 8, ("COMPLETEE", ago(6)))  # must not hide SUSPENDUE
    mine = [n for n in notes() if n.user_id == world.manager.id]
    states = {n.status_code: (n.superseded_by_id is not None) for n in mine}
    assert states == {
        "MISE_A_DISPOSITION": True,
        "PRISE_EN_COMPTE_DESTINATAIRE": True,
        "SUSPENDUE": False,
        "COMPLETEE": False,
    }
    pending = [d.notification.status_code for d in deliveries() if d.state == "pending"]
    assert pending == ["SUSPENDUE", "COMPLETEE"]


def test_a_newer_status_replaces_the_unsent_pushes_of_every_user_with_their_own_entry(
    world: World,
) -> None:
    add_device(world.manager, "tok-m")
    add_device(world.roads_only, "tok-r")
    record(world, 9, ("MISE_A_DISPOSITION", ago(9)))
    record(world, 9, ("MANDATEE", ago(8)))
    old = {n.user_id: n for n in notes() if n.status_code == "MISE_A_DISPOSITION"}
    new = {n.user_id: n for n in notes() if n.status_code == "MANDATEE"}
    assert set(old) == set(new) == {world.manager.id, world.roads_only.id}
    for user_id, note in old.items():
        assert note.superseded_by_id == new[user_id].id
    assert sorted(d.state for d in deliveries()) == [
        "pending",
        "pending",
        "superseded",
        "superseded",
    ]


@pytest.mark.postgres_only
def test_a_transaction_recording_many_changes_wakes_the_dispatchers_once(
    world: World, app: Flask, count_queries: StatementCounter
) -> None:
    from backend.push.transport import waiter

    add_device(world.manager, "tok-m")
    wait = waiter(app.extensions["relais_config"])
    assert wait is not None
    woke = threading.Event()
    thread = threading.Thread(target=lambda: (wait(60), woke.set()), daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # let it LISTEN
        for portal_id in (21, 22, 23):
            ingest.record(
                current_session(), world.structure.id,
                service.InvoiceRecord(portal_id=portal_id, number=f"F-{portal_id}",
                                      recipient_siret=world.recipient.siret),
                [service.ChangeIn("MANDATEE", ago(1))], source="test",
            )  # fmt: skip
        assert not woke.wait(0.3), "nothing is announced before the commit"
        current_session().commit()
        assert woke.wait(30), "the commit wakes the dispatchers"
    finally:
        thread.join(60)
        wait.close()
    notifies = [s for s in count_queries.statements if "pg_notify" in s]
    assert len(notifies) == 1
    assert len(deliveries()) == 3
