"""Mail transports: real SMTP, or `.eml` files in the instance outbox (embedded default)."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from flask import current_app

from backend.config import Config
from backend.logsafe import mask_email, redact_emails
from backend.mail.compose import Letter, compose

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")


class Mailer(Protocol):
    """Sends one fully built message; raises on failure so callers may retry."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Standard-library SMTP with STARTTLS, implicit TLS or plain (loopback relays)."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {SECURITY_MODES}")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=context)
        return smtp

    def send(self, message: EmailMessage) -> None:
        with self._connect() as smtp:
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
        log.info("mail sent to %s: %s", mask_email(message["To"]), message["Subject"])


class OutboxMailer:
    """Writes each message as an `.eml` file and prints a one-line summary."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        # The console may be a service's journal: the full address is in the file only.
        to = mask_email(message["To"])
        print(f"[courriel] à {to} — « {message['Subject']} » → {path}", flush=True)


def deliver(mailer: Mailer, sender: str, letter: Letter) -> bool:
    """Send one letter; a transport failure is logged, never turned into a 500."""
    try:
        mailer.send(compose(letter, sender))
    except (OSError, smtplib.SMTPException) as exc:
        # No traceback: an SMTP refusal's text names the recipient, so it is masked as well.
        to, error = mask_email(letter.to), redact_emails(repr(exc))
        log.error("could not send %r to %s: %s", letter.subject, to, error)
        return False
    return True


def make_mailer(config: Config) -> Mailer:
    """SMTP when a host is configured, otherwise the local outbox."""
    if config.smtp_host:
        return SmtpMailer(
            config.smtp_host,
            config.smtp_port,
            security=config.smtp_security,
            username=config.smtp_username,
            password=config.smtp_password,
        )
    return OutboxMailer(Path(config.instance_path) / "outbox")


def current_mailer() -> Mailer:
    """The application's mailer, built once per app (tests may replace it)."""
    mailer: Mailer | None = current_app.extensions.get("relais_mailer")
    if mailer is None:
        mailer = make_mailer(current_app.extensions["relais_config"])
        current_app.extensions["relais_mailer"] = mailer
    return mailer
