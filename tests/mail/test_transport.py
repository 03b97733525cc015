"""The SMTP and outbox mailers, against a real SMTP server on loopback."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from backend.config import Config
from backend.mail import Attachment, Letter, OutboxMailer, SmtpMailer, compose, make_mailer
from tests.mail.smtp import Inbox, calendar_part, html_part, text_part

pytestmark = pytest.mark.nodb


def _letter() -> Letter:
    return Letter(
        to="lea@example.fr",
        subject="Inscription confirmée : Déposer une facture",
        paragraphs=["Votre inscription est confirmée.", "Ligne 1\nLigne 2 <b>"],
        actions=[("Confirmer", "https://relais.example/c?jeton=a&b=1")],
        footer=[("Annuler mon inscription", "https://relais.example/annuler")],
        attachments=[
            Attachment(
                "formation.ics",
                b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                "text",
                "calendar",
                {"method": "REQUEST", "charset": "utf-8"},
            )
        ],
    )


def test_smtp_mailer_delivers_text_html_and_calendar(
    smtp_server: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp_server
    inbox.clear()
    mailer = SmtpMailer(controller.hostname, controller.port, security="none")
    mailer.send(compose(_letter(), "Relais <formations@relais.example>"))
    [received] = inbox.messages
    assert received["Subject"] == "Inscription confirmée : Déposer une facture"
    assert received["X-Envelope-To"] == "lea@example.fr"
    assert received["Content-Language"] == "fr"
    assert "Bonjour," in text_part(received)
    assert "https://relais.example/c?jeton=a&b=1" in text_part(received)
    html = html_part(received)
    assert '<html lang="fr">' in html and "&lt;b&gt;" in html and "Ligne 1<br>Ligne 2" in html
    assert 'href="https://relais.example/c?jeton=a&amp;b=1"' in html
    ics = calendar_part(received)
    assert ics is not None and ics.get_param("method") == "REQUEST"


def test_smtp_mailer_refuses_unknown_security() -> None:
    with pytest.raises(ValueError):
        SmtpMailer("localhost", security="tls13")


def test_outbox_mailer_writes_eml_and_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    OutboxMailer(tmp_path / "outbox").send(compose(_letter(), "formations@relais.example"))
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "lea@example.fr"
    assert "l***@example.fr" in capsys.readouterr().out  # the address is masked on the console


def test_configuration_chooses_the_mailer(tmp_path: Path) -> None:
    outbox = make_mailer(Config(instance_path=str(tmp_path)))
    assert isinstance(outbox, OutboxMailer) and outbox.folder == tmp_path / "outbox"
    smtp = make_mailer(
        Config(
            instance_path=str(tmp_path),
            smtp_host="mail.example",
            smtp_port=465,
            smtp_security="ssl",
        )
    )
    assert isinstance(smtp, SmtpMailer) and (smtp.port, smtp.security) == (465, "ssl")
