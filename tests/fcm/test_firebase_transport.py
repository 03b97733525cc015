"""FirebaseTransport end to end: the real firebase-admin SDK against the loopback FCM server."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest

from notifications import Outcome, PushTransport, make_transport
from notifications.firebase import FirebaseTransport
from tests.fcm.fcm_server import FcmServer, running_fcm_server
from tests.fcm.fixtures import TransportFactory
from tests.fcm.helpers import push, send

pytestmark = pytest.mark.nodb


def test_message_reaches_server_with_payload_and_options(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    high = push(
        "ok-high",
        data={"invoice_id": "42", "status": "paid"},
        collapse_key="invoice-42",
        ttl_seconds=3600,
    )
    low = push("ok-low", platform="ios", high_priority=False, ttl_seconds=0)
    ios = push("ok-ios", platform="ios", collapse_key="invoice-42", ttl_seconds=3600)
    before = int(time.time())

    results = send(firebase_transport, high, low, ios)

    assert [r.outcome for r in results] == [Outcome.SENT] * 3
    assert [r.message_id for r in results] == [c.name for c in fcm_server.calls]
    assert fcm_server.token_requests == 1  # google-auth fetched one token from token_uri
    assert {c.protocol for c in fcm_server.calls} == {"HTTP/2"}  # TLS + ALPN, as with FCM
    sent_high, sent_low, sent_ios = fcm_server.messages
    assert sent_high["token"] == "ok-high"
    assert sent_high["notification"] == {"title": "Facture", "body": "Payée"}
    assert sent_high["data"] == {"invoice_id": "42", "status": "paid"}
    assert sent_high["android"] == {
        "collapse_key": "invoice-42",
        "priority": "high",
        "ttl": "3600s",
    }
    # One builder per platform: a phone's message carries its own platform's part only.
    assert "apns" not in sent_high and "webpush" not in sent_high
    apns = sent_ios["apns"]["headers"]
    assert apns["apns-priority"] == "10"
    assert apns["apns-collapse-id"] == "invoice-42"
    assert before + 3600 <= int(apns["apns-expiration"]) <= int(time.time()) + 3600
    assert sent_ios["notification"] == {"title": "Facture", "body": "Payée"}
    assert "android" not in sent_ios and "webpush" not in sent_ios
    assert sent_low["apns"]["headers"] == {"apns-priority": "5", "apns-expiration": "0"}


def test_a_web_push_carries_its_webpush_part_with_the_link_to_the_invoice(
    make_firebase_transport: TransportFactory, fcm_server: FcmServer
) -> None:
    transport = make_firebase_transport(web_base_url="https://relais.example/")
    web = push(
        "ok-web",
        platform="web",
        title="Facture F-42 : Rejetée",
        body="Mairie de Rennes. Corrigez et renvoyez la facture.",
        data={"invoice_id": "42", "status": "REJETEE"},
        collapse_key="invoice-42",
        ttl_seconds=7 * 86400,
        link="/app/#/factures/42",
    )
    quiet = push("ok-web-2", platform="web", high_priority=False, ttl_seconds=60)

    results = send(transport, web, quiet)

    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    sent, sent_quiet = fcm_server.messages
    assert sent["token"] == "ok-web"
    assert sent["webpush"] == {
        "headers": {"Urgency": "high", "TTL": "604800", "Topic": "invoice-42"},
        "notification": {
            "title": "Facture F-42 : Rejetée",
            "body": "Mairie de Rennes. Corrigez et renvoyez la facture.",
            "tag": "invoice-42",
            "renotify": True,
        },
        "fcm_options": {"link": "https://relais.example/app/#/factures/42"},
    }
    # The service worker also finds the link among the data (plain-HTTP Relais, below).
    assert sent["data"] == {"invoice_id": "42", "status": "REJETEE", "link": "/app/#/factures/42"}
    assert "notification" not in sent and "android" not in sent and "apns" not in sent
    assert sent_quiet["webpush"] == {
        "headers": {"Urgency": "normal", "TTL": "60"},
        "notification": {"title": "Facture", "body": "Payée"},
    }


def test_on_plain_http_a_web_push_keeps_its_link_in_the_data_only(
    make_firebase_transport: TransportFactory, fcm_server: FcmServer
) -> None:
    # FCM refuses an http fcm_options.link (the loopback server checks it as FCM does).
    transport = make_firebase_transport(web_base_url="http://127.0.0.1:8000")
    web = push("ok-web", platform="web", collapse_key="invoice-7", link="/app/#/factures/7")

    (result,) = send(transport, web)

    assert result.outcome is Outcome.SENT
    (sent,) = fcm_server.messages
    assert "fcm_options" not in sent["webpush"]
    assert sent["data"] == {"link": "/app/#/factures/7"}


def test_a_link_must_be_a_path_of_the_app() -> None:
    with pytest.raises(ValueError, match="link"):
        push("ok-web", platform="web", link="https://ailleurs.example/")


def test_1200_messages_go_out_in_chunks_of_at_most_500(
    make_firebase_transport: TransportFactory,
    fcm_server: FcmServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The SDK's default timeout: 500 concurrent sends queue for the httpx pool's 100
    # connections, and that wait counts against the timeout on a loaded machine.
    transport = make_firebase_transport(timeout_seconds=120)
    messages = [push(f"ok-{i}") for i in range(1200)]
    with caplog.at_level(logging.DEBUG, logger="notifications.firebase"):
        results = send(transport, *messages)

    chunks = [r.args[0] for r in caplog.records if r.msg.startswith("FCM chunk")]  # type: ignore[index]
    assert chunks == [500, 500, 200]
    assert {(r.outcome, r.error_code) for r in results} == {(Outcome.SENT, None)}
    names = {c.token: c.name for c in fcm_server.calls}
    assert len(names) == 1200
    assert [r.message_id for r in results] == [names[m.token] for m in messages]


def test_artificial_latency_applies_to_every_send(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    fcm_server.latency_ms = (20, 50)
    started = time.monotonic()

    results = send(firebase_transport, *(push(f"ok-{i}") for i in range(50)))

    assert all(r.outcome is Outcome.SENT for r in results)
    assert 0.02 <= time.monotonic() - started < 5  # concurrent: about one latency, not fifty


def test_transport_works_from_several_event_loops(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    for _ in range(3):
        (result,) = send(firebase_transport, push("ok-1"))
        assert result.outcome is Outcome.SENT
    assert fcm_server.token_requests == 1


def test_make_transport_builds_a_firebase_transport(
    fcm_server: FcmServer, service_account_file: Path
) -> None:
    with fcm_server.trusted_by_new_clients():
        transport = make_transport(
            "firebase",
            project_id=fcm_server.project_id,
            credentials_path=service_account_file,
            fcm_base_url=fcm_server.base_url,
        )
    try:
        assert isinstance(transport, FirebaseTransport)
        assert isinstance(transport, PushTransport)
        assert transport.name == "firebase"
        assert send(transport, push("ok-1"))[0].outcome is Outcome.SENT
    finally:
        transport.close()  # type: ignore[attr-defined]


def test_plain_http_loopback_speaks_http_1_1(tmp_path: Path) -> None:
    with running_fcm_server(tls=False) as server:
        path = tmp_path / "service-account.json"
        path.write_text(json.dumps(server.service_account_info()), encoding="utf-8")
        transport = FirebaseTransport(server.project_id, path, fcm_base_url=server.base_url)
        try:
            (result,) = send(transport, push("ok-1"))
        finally:
            transport.close()

    assert result.outcome is Outcome.SENT
    assert [c.protocol for c in server.calls] == ["HTTP/1.1"]


def test_aclose_from_a_running_loop_then_send_is_refused(
    firebase_transport: FirebaseTransport,
) -> None:
    async def scenario() -> None:
        assert (await firebase_transport.send([push("ok-1")]))[0].outcome is Outcome.SENT
        await firebase_transport.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await firebase_transport.send([push("ok-2")])

    asyncio.run(scenario())


def test_successful_sends_leave_no_httpx_line_but_failures_and_other_requests_do(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer, caplog: pytest.LogCaptureFixture
) -> None:
    import httpx

    with caplog.at_level(logging.INFO, logger="httpx"):
        send(firebase_transport, push("ok-1"), push("ok-2"), push("unregistered-gone"))
        with httpx.Client() as client:  # another httpx user of the process (the portal client)
            client.get(fcm_server.token_uri)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    sends = [line for line in lines if "messages:send" in line]
    assert len(sends) == 1 and "404" in sends[0]  # only the failure, not one line per push
    assert any("/token" in line for line in lines)


def test_the_server_stamps_when_each_request_arrived(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    fcm_server.latency_ms = (30, 30)
    before = time.time()
    send(firebase_transport, push("ok-1"), push("ok-2"))
    after = time.time()
    assert all(before <= c.at <= after - 0.03 for c in fcm_server.calls)
