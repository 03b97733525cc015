"""Logs name recipients by a masked address only: sent, refused by the server, or written
to the local outbox."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from backend.logsafe import loggable_path, mask_email, redact_emails
from backend.mail import Letter, OutboxMailer, SmtpMailer, compose, deliver
from tests.mail.smtp import Inbox, free_port

pytestmark = pytest.mark.nodb

ADDRESS = "claire.lefevre@example.fr"
MASKED = "c***@example.fr"


def _letter() -> Letter:
    return Letter(to=ADDRESS, subject="Inscription reçue", paragraphs=["Bonjour."])


class Refusing:
    """An SMTP server that refuses every recipient, naming it as real servers do."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@pytest.fixture
def refusing_server() -> Iterator[Controller]:
    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_mask_email() -> None:
    assert mask_email(ADDRESS) == MASKED
    assert mask_email("Claire <c.l+formation@mail.example.fr>") == "c***@mail.example.fr"
    assert mask_email("pas une adresse") == "***"
    assert mask_email(None) == "***"
    assert redact_emails(f"{{'{ADDRESS}': (550, b'<{ADDRESS}>')}}").count(MASKED) == 2


def test_link_tokens_are_cut_out_of_paths() -> None:
    token = "WzEyLDBd.Z3x1aQ.b2S1n4t0r3_Dm9Lq-x7KpZyTzY0w"
    assert loggable_path(f"/api/v1/newsletter/unsubscribe/{token}") == (
        "/api/v1/newsletter/unsubscribe/…"
    )
    for path in ("/assets/javascripts/bundle.a5f9d56c.min.js", "/search/search_index.json"):
        assert loggable_path(path) == path


def test_a_sent_mail_is_logged_with_the_masked_address(
    smtp_server: tuple[Controller, Inbox], caplog: pytest.LogCaptureFixture
) -> None:
    controller, inbox = smtp_server
    mailer = SmtpMailer(controller.hostname, controller.port, security="none")
    with caplog.at_level(logging.INFO, logger="backend.mail"):
        mailer.send(compose(_letter(), "Relais <formations@relais.example>"))
    assert inbox.to(ADDRESS)
    assert f"mail sent to {MASKED}: Inscription reçue" in caplog.messages
    assert ADDRESS not in caplog.text


def test_a_refused_mail_is_logged_with_the_masked_address(
    refusing_server: Controller, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = SmtpMailer(refusing_server.hostname, refusing_server.port, security="none")
    with caplog.at_level(logging.INFO, logger="backend"):
        assert deliver(mailer, "Relais <formations@relais.example>", _letter()) is False
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert MASKED in record.getMessage() and "Recipient address rejected" in record.getMessage()
    assert ADDRESS not in caplog.text


def test_the_outbox_prints_the_masked_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    OutboxMailer(tmp_path).send(compose(_letter(), "formations@relais.example"))
    printed = capsys.readouterr().out
    assert MASKED in printed and ADDRESS not in printed
    [eml] = tmp_path.glob("*.eml")
    assert ADDRESS in eml.read_text()  # the message itself is whole
