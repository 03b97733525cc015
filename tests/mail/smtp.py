"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from backend.mail import SmtpMailer


class Inbox:
    """aiosmtpd handler: parsed messages, in arrival order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def clear(self) -> None:
        self.messages.clear()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def inbox(app: Flask, smtp_server: tuple[Controller, Inbox]) -> Iterator[Inbox]:
    """The app sends through the loopback server for this test."""
    controller, box = smtp_server
    box.clear()
    app.extensions["relais_mailer"] = SmtpMailer(
        controller.hostname, controller.port, security="none"
    )
    yield box
    app.extensions.pop("relais_mailer", None)


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def calendar_part(message: EmailMessage) -> EmailMessage | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return part  # type: ignore[return-value]
    return None
