"""LogTransport, make_transport and PushMessage validation (no network at all)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from pathlib import Path

import pytest

from notifications import (
    LogTransport,
    Outcome,
    PushMessage,
    PushTransport,
    make_transport,
    mask_token,
)

pytestmark = pytest.mark.nodb

TOKEN = "fGx3-Q2vS0eZk1:APA91bH" + "a" * 120 + "Zq9w"


def test_log_transport_logs_one_masked_line_per_message(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox.jsonl"
    transport = LogTransport(outbox_path=outbox)
    message = PushMessage(
        TOKEN, "ios", "Facture F-42", "Statut : payée", {"invoice_id": "42"}, "invoice-42"
    )
    with caplog.at_level(logging.INFO, logger="notifications.log"):
        results = asyncio.run(transport.send([message, message]))

    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    assert results[0].message_id != results[1].message_id
    assert all(r.message_id and r.message_id.startswith("log-") for r in results)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert TOKEN not in caplog.text
    assert mask_token(TOKEN) in lines[0]
    assert "Facture F-42" in lines[0] and "invoice-42" in lines[0]
    records = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [r.message_id for r in results]
    assert records[0]["token"] == mask_token(TOKEN)
    assert records[0]["token_sha256"] == hashlib.sha256(TOKEN.encode()).hexdigest()
    assert records[0]["data"] == {"invoice_id": "42"}
    assert TOKEN not in outbox.read_text(encoding="utf-8")


def test_mask_token_keeps_little() -> None:
    assert mask_token(TOKEN) == "fGx3-Q…Zq9w"
    assert mask_token("short") == "…rt"


def test_make_transport_defaults_to_log() -> None:
    transport = make_transport()
    assert isinstance(transport, LogTransport)
    assert isinstance(transport, PushTransport)
    assert transport.name == "log"
    with pytest.raises(ValueError, match="unknown push transport"):
        make_transport("carrier-pigeon")


@pytest.mark.parametrize(
    "fields",
    [
        {"platform": "windows"},
        {"token": ""},
        {"ttl_seconds": -1},
        {"ttl_seconds": 29 * 24 * 3600},
        {"collapse_key": "x" * 65},
        {"data": {"invoice_id": 42}},
    ],
)
def test_push_message_rejects_what_no_transport_could_send(fields: dict) -> None:
    valid = {"token": TOKEN, "platform": "android", "title": "t", "body": "b"}
    with pytest.raises(ValueError):
        PushMessage(**{**valid, **fields})
