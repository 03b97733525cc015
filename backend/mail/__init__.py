"""Outgoing e-mail: a small `Mailer` interface, SMTP and local-outbox implementations."""

from __future__ import annotations

from backend.mail.compose import Attachment, Letter, compose
from backend.mail.transport import (
    Mailer,
    OutboxMailer,
    SmtpMailer,
    current_mailer,
    deliver,
    make_mailer,
)

__all__ = [
    "Attachment",
    "Letter",
    "Mailer",
    "OutboxMailer",
    "SmtpMailer",
    "compose",
    "current_mailer",
    "deliver",
    "make_mailer",
]
