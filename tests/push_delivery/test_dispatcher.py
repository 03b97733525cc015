"""The dispatcher through the real firebase-admin SDK and a loopback FCM HTTP v1 server."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.db import current_session, utcnow
from backend.integrations.service import create_api_key
from backend.push.dispatcher import MAX_ATTEMPTS, dispatch_once
from backend.push.models import Delivery, Device, Notification
from notifications.firebase import FirebaseTransport
from tests.factories import make_invoice
from tests.fcm.fcm_server import FcmServer
from tests.fcm.fixtures import TransportFactory
from tests.helpers import auth_headers
from tests.push_delivery.conftest import World, add_device


def queue(
    world: World, device: Device, status: str = "SUSPENDUE", invoice_id: int | None = None
) -> Delivery:
    """An inbox entry and its outbox row, as the service would write them."""
    session = current_session()
    note = Notification(
        user_id=device.user_id, structure_id=world.structure.id, invoice_id=invoice_id,
        kind="status_change", category="action_required", status_code=status,
        title=f"Facture X : {status}", body="Commune. Complétez la facture.",
    )  # fmt: skip
    session.add(note)
    session.flush()
    delivery = Delivery(notification_id=note.id, device_id=device.id, not_before=utcnow())
    session.add(delivery)
    session.commit()
    return delivery


def states() -> dict[int, str]:
    current_session().expire_all()
    return {d.id: d.state for d in current_session().scalars(select(Delivery))}


def test_an_ingested_change_reaches_the_fcm_server(
    client: FlaskClient, world: World, fcm_server: FcmServer, transport: FirebaseTransport
) -> None:
    android = add_device(world.manager, "tok-android-1")
    add_device(world.manager, "tok-ios-1", "ios", "en")
    _key, clear = create_api_key(current_session(), "ERP", [world.structure])
    current_session().commit()
    when = (utcnow() - dt.timedelta(minutes=2)).isoformat()
    body = {
        "items": [
            {
                "invoice": {
                    "portal_id": 77,
                    "number": "F-2026-077",
                    "structure_siret": world.structure.siret,
                    "recipient_siret": world.recipient.siret,
                    "recipient_name": "Commune de Villeurbanne",
                    "service_code": "VOIRIE",
                },
                "changes": [{"code": 210, "occurred_at": when, "comment": "Montant erroné"}],
            }
        ]
    }
    assert client.post("/api/v1/integrations/status-events", json=body,
                       headers={"X-API-Key": clear}).status_code == 200  # fmt: skip
    stats = dispatch_once(current_session(), transport, "test")
    assert stats.sent == 2  # the manager's two devices (the other member has none)
    received = {m["token"]: m for m in fcm_server.messages}
    fr = received["tok-android-1"]
    invoice_id = fr["data"]["invoice_id"]
    assert fr["notification"] == {  # 210: the reform's « Refusée »
        "title": "Facture F-2026-077 : Refusée",
        "body": "Commune de Villeurbanne. Votre client refuse la facture : émettez-en une "
        "nouvelle, avec un nouveau numéro, en tenant compte du motif.",
    }
    assert fr["data"]["status"] == "210" and fr["data"]["kind"] == "status_change"
    assert fr["data"]["notification_id"].isdigit()
    assert fr["android"]["collapse_key"] == f"invoice-{invoice_id}"
    assert fr["android"]["priority"] == "high"
    assert received["tok-ios-1"]["notification"]["title"] == "Invoice F-2026-077: Refused"
    apns = received["tok-ios-1"]["apns"]["headers"]
    assert apns["apns-collapse-id"] == f"invoice-{invoice_id}" and apns["apns-priority"] == "10"
    sent = current_session().scalars(select(Delivery).where(Delivery.device_id == android.id)).one()
    assert sent.state == "sent" and sent.message_id and sent.message_id.startswith("projects/")


def test_unregistered_and_invalid_tokens_deactivate_the_device(
    world: World, transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    gone = add_device(world.manager, "unregistered-old-phone")
    bad = add_device(world.manager, "invalid-token")
    first, second = queue(world, gone), queue(world, gone, "REJETEE")
    third = queue(world, bad)
    stats = dispatch_once(current_session(), transport, "test")
    assert stats.cancelled == 3 and stats.sent == 0
    assert set(states().values()) == {"cancelled"}
    current_session().expire_all()
    assert current_session().get(Device, gone.id).active is False
    assert current_session().get(Device, bad.id).deactivated_reason == "INVALID_ARGUMENT"
    calls = len(fcm_server.messages) + len(fcm_server.calls)
    assert dispatch_once(current_session(), transport, "test").claimed == 0  # never retried
    assert len(fcm_server.messages) + len(fcm_server.calls) == calls
    assert {first.id, second.id, third.id} == set(states())


def test_quota_is_retried_after_retry_after_then_dead_lettered(
    world: World, transport: FirebaseTransport
) -> None:
    device = add_device(world.manager, "quota-busy-phone")
    delivery = queue(world, device)
    before = utcnow()
    dispatch_once(current_session(), transport, "test")
    current_session().expire_all()
    row = current_session().get(Delivery, delivery.id)
    assert row.state == "pending" and row.attempts == 1
    assert row.not_before >= before + dt.timedelta(seconds=7)  # the server's Retry-After
    assert "QUOTA_EXCEEDED" in (row.last_error or "")
    later = utcnow()
    for _ in range(MAX_ATTEMPTS - 1):
        later += dt.timedelta(hours=2)
        dispatch_once(current_session(), transport, "test", now=later)
    current_session().expire_all()
    assert current_session().get(Delivery, delivery.id).state == "dead"
    assert current_session().get(Device, device.id).active is True  # the phone is fine


def test_sender_mismatch_disables_the_device_loudly(
    world: World, transport: FirebaseTransport, caplog: pytest.LogCaptureFixture
) -> None:
    device = add_device(world.manager, "mismatch-token")
    queue(world, device)
    with caplog.at_level(logging.ERROR):
        dispatch_once(current_session(), transport, "test")
    current_session().expire_all()
    assert current_session().get(Device, device.id).active is False
    assert any("credentials refused" in r.getMessage() for r in caplog.records)


def test_a_message_rejected_for_itself_is_dead_lettered(
    world: World, transport: FirebaseTransport
) -> None:
    device = add_device(world.manager, "tok-ok")
    delivery = queue(world, device)
    note = current_session().get(Notification, delivery.notification_id)
    note.body = "x" * 5000  # over FCM's 4 KB payload limit: INVALID_ARGUMENT about the message
    current_session().commit()
    stats = dispatch_once(current_session(), transport, "test")
    assert stats.dead == 1
    assert states()[delivery.id] == "dead"
    current_session().expire_all()
    assert current_session().get(Device, device.id).active is True


def test_one_batch_records_every_kind_of_outcome_and_cancels_what_waits_for_a_dead_token(
    world: World, transport: FirebaseTransport
) -> None:
    ok = add_device(world.manager, "tok-fine")
    gone = add_device(world.manager, "unregistered-phone")
    busy = add_device(world.roads_only, "quota-phone")
    off = add_device(world.roads_only, "tok-switched-off")
    sent, dead_token, retried = queue(world, ok), queue(world, gone), queue(world, busy)
    skipped = queue(world, off)
    off.active = False
    current_session().commit()
    waiting = queue(world, gone, "REJETEE")  # not in the first batch (limit 4, oldest first)
    stats = dispatch_once(current_session(), transport, "test", limit=4)
    assert (stats.claimed, stats.sent, stats.retried, stats.cancelled) == (4, 1, 1, 2)
    assert states() == {
        sent.id: "sent",
        dead_token.id: "cancelled",
        retried.id: "pending",
        skipped.id: "cancelled",
        waiting.id: "cancelled",  # the device is gone: nothing more is sent to it
    }
    rows = {d.id: d for d in current_session().scalars(select(Delivery))}
    assert rows[sent.id].message_id and rows[sent.id].sent_at is not None
    assert rows[sent.id].lease_until is None and rows[retried.id].lease_until is None
    assert rows[retried.id].attempts == 1 and "QUOTA_EXCEEDED" in (
        rows[retried.id].last_error or ""
    )
    assert current_session().get(Device, gone.id).active is False


def test_a_web_device_registered_by_the_app_gets_a_web_push_to_the_invoice(
    client: FlaskClient,
    world: World,
    fcm_server: FcmServer,
    make_firebase_transport: TransportFactory,
) -> None:
    headers = auth_headers(client, world.manager.email)
    device = {"token": "fcm-web-token-1", "platform": "web", "locale": "fr",
              "time_zone": "Europe/Paris", "app_version": "web"}  # fmt: skip
    registered = client.post("/api/v1/devices", json=device, headers=headers)
    assert registered.status_code == 201 and registered.get_json()["platform"] == "web"
    invoice = make_invoice(world.structure, world.recipient,
                           [("DEPOSEE", utcnow() - dt.timedelta(minutes=3)),
                            ("REJETEE", utcnow() - dt.timedelta(minutes=2), "Code service absent")],
                           number="F-2026-501")  # fmt: skip
    # As transport_from_config builds it: PUBLIC_BASE_URL makes the link absolute (https).
    transport = make_firebase_transport(web_base_url="https://relais.example")

    stats = dispatch_once(current_session(), transport, "test")

    assert stats.sent == 1
    (sent,) = fcm_server.messages
    assert sent["token"] == "fcm-web-token-1"
    assert "android" not in sent and "apns" not in sent and "notification" not in sent
    webpush = sent["webpush"]
    assert webpush["notification"]["title"] == "Facture F-2026-501 : Rejetée"
    assert webpush["notification"]["body"].startswith(world.recipient.name + ". ")
    assert webpush["notification"]["tag"] == f"invoice-{invoice.id}"
    assert webpush["headers"]["Topic"] == f"invoice-{invoice.id}"
    assert webpush["headers"]["Urgency"] == "high"
    assert webpush["fcm_options"] == {"link": f"https://relais.example/app/#/factures/{invoice.id}"}
    assert sent["data"]["link"] == f"/app/#/factures/{invoice.id}"
    assert sent["data"]["invoice_id"] == str(invoice.id)
    assert sent["data"]["notification_id"].isdigit()


def test_an_account_notice_about_a_structure_leads_to_compte(
    client: FlaskClient,
    world: World,
    fcm_server: FcmServer,
    make_firebase_transport: TransportFactory,
) -> None:
    """The technical password's expiry warning names its structure and opens Compte, where
    the password is updated; a notice about no structure opens the inbox."""
    from backend.push.broadcast import ServiceNotices, notify_managers

    headers = auth_headers(client, world.manager.email)
    device = {"token": "fcm-web-token-2", "platform": "web", "locale": "fr",
              "time_zone": "Europe/Paris", "app_version": "web"}  # fmt: skip
    assert client.post("/api/v1/devices", json=device, headers=headers).status_code == 201
    notify_managers(current_session(), world.structure.id, "Compte technique", "Il expire.")
    ServiceNotices(current_session()).publish_service_notice("Maintenance", "Ce soir.", {})
    current_session().commit()
    transport = make_firebase_transport(web_base_url="https://relais.example")

    assert dispatch_once(current_session(), transport, "test").sent == 2

    by_title = {m["webpush"]["notification"]["title"]: m for m in fcm_server.messages}
    account = by_title["Compte technique"]
    assert account["data"]["structure_id"] == str(world.structure.id)
    assert account["data"]["link"] == "/app/#/compte"
    assert account["webpush"]["fcm_options"] == {"link": "https://relais.example/app/#/compte"}
    service = by_title["Maintenance"]
    assert "structure_id" not in service["data"]
    assert service["data"]["link"] == "/app/#/notifications"
