"""Every FCM error class, sent by the loopback server, classified through the real SDK."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from notifications import Outcome
from notifications.firebase import FirebaseTransport
from tests.fcm.fcm_server import FcmServer
from tests.fcm.fixtures import TransportFactory
from tests.fcm.helpers import push, send

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize(
    ("token", "outcome", "code", "calls"),
    [
        ("unregistered-1", Outcome.INVALID_TOKEN, "UNREGISTERED", 1),
        ("invalid-1", Outcome.INVALID_TOKEN, "INVALID_ARGUMENT", 1),
        ("malformed-1", Outcome.INVALID_TOKEN, "INVALID_ARGUMENT", 1),
        ("mismatch-1", Outcome.AUTH_ERROR, "SENDER_ID_MISMATCH", 1),
        # The SDK's auth flow refreshes the OAuth token and resends twice on any 401.
        ("thirdparty-1", Outcome.AUTH_ERROR, "THIRD_PARTY_AUTH_ERROR", 3),
        ("quota-1", Outcome.RETRY, "QUOTA_EXCEEDED", 1),  # the SDK never retries 429
    ],
)
def test_fcm_errors_are_classified(
    firebase_transport: FirebaseTransport,
    fcm_server: FcmServer,
    token: str,
    outcome: Outcome,
    code: str,
    calls: int,
) -> None:
    (result,) = send(firebase_transport, push(token), push("ok-1"))[:1]

    assert (result.outcome, result.error_code) == (outcome, code)
    assert result.message_id is None
    assert result.detail
    assert len(fcm_server.calls_for(token)) == calls
    assert len(fcm_server.calls_for("ok-1")) == 1


def test_quota_exceeded_carries_retry_after_then_succeeds(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    fcm_server.fail_next(1, "QUOTA_EXCEEDED")

    (first,) = send(firebase_transport, push("ok-1"))
    (second,) = send(firebase_transport, push("ok-1"))

    assert (first.outcome, first.error_code, first.retry_after) == (
        Outcome.RETRY,
        "QUOTA_EXCEEDED",
        7.0,
    )
    assert second.outcome is Outcome.SENT


def test_invalid_argument_about_the_message_is_permanent(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    (result,) = send(firebase_transport, push("ok-1", data={"from": "relais"}))

    assert (result.outcome, result.error_code) == (Outcome.PERMANENT, "INVALID_ARGUMENT")
    assert "from" in result.detail
    assert fcm_server.messages == []


def test_a_message_the_sdk_refuses_to_encode_fails_alone(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    bad = push("ok-bad", title=123)  # passes our checks, not the SDK's encoder

    refused, sent = send(firebase_transport, bad, push("ok-1"))

    assert (refused.outcome, refused.error_code) == (Outcome.PERMANENT, "INVALID_MESSAGE")
    assert sent.outcome is Outcome.SENT
    assert [c.token for c in fcm_server.calls] == ["ok-1"]


def test_unknown_project_is_a_configuration_error_worth_retrying(
    make_firebase_transport: TransportFactory, fcm_server: FcmServer
) -> None:
    transport = make_firebase_transport(project_id="someone-elses-project")

    (result,) = send(transport, push("ok-1"))

    assert (result.outcome, result.error_code) == (Outcome.RETRY, "NOT_FOUND")


def test_auth_error_is_logged_loudly_with_a_masked_token(
    firebase_transport: FirebaseTransport, caplog: pytest.LogCaptureFixture
) -> None:
    token = "mismatch-" + "x" * 140
    with caplog.at_level(logging.INFO, logger="notifications"):
        send(firebase_transport, push(token))

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors
    assert "SENDER_ID_MISMATCH" in errors[0].getMessage()
    assert token not in caplog.text


def test_unavailable_and_internal_exhaust_the_sdk_retries(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    # firebase-admin retries 500/503 4 times (backoff 0, 1, 2, 4 s): one send, ~7 s, 5 calls each.
    unavailable, internal = send(firebase_transport, push("unavailable-1"), push("internal-1"))

    assert (unavailable.outcome, unavailable.error_code) == (Outcome.RETRY, "UNAVAILABLE")
    assert unavailable.retry_after == 7.0
    assert (internal.outcome, internal.error_code) == (Outcome.RETRY, "INTERNAL")
    assert len(fcm_server.calls_for("unavailable-1")) == 5
    assert len(fcm_server.calls_for("internal-1")) == 5


def test_one_unavailable_answer_is_absorbed_by_the_sdk(
    firebase_transport: FirebaseTransport, fcm_server: FcmServer
) -> None:
    fcm_server.fail_next(1, "UNAVAILABLE")

    (result,) = send(firebase_transport, push("ok-1"))

    assert result.outcome is Outcome.SENT
    assert [c.status for c in fcm_server.calls_for("ok-1")] == [503, 200]


def test_timeout_is_retryable(
    make_firebase_transport: TransportFactory, fcm_server: FcmServer
) -> None:
    transport = make_firebase_transport(timeout_seconds=0.3)
    started = time.monotonic()

    slow, fast = send(transport, push("slow-1"), push("ok-1"))

    assert (slow.outcome, slow.error_code) == (Outcome.RETRY, "DEADLINE_EXCEEDED")
    assert fast.outcome is Outcome.SENT
    assert time.monotonic() - started < fcm_server.slow_seconds


def test_oauth_failure_makes_the_whole_chunk_retryable(
    fcm_server: FcmServer, tmp_path: Path
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info = fcm_server.service_account_info()
    info["private_key"] = stranger.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path / "unknown-key.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    with fcm_server.trusted_by_new_clients():
        transport = FirebaseTransport(fcm_server.project_id, path, fcm_base_url=fcm_server.base_url)
    try:
        results = send(transport, push("ok-1"), push("ok-2"))
    finally:
        transport.close()

    assert {(r.outcome, r.error_code) for r in results} == {(Outcome.RETRY, "UNKNOWN")}
    assert "invalid_grant" in results[0].detail
    assert fcm_server.calls == []
