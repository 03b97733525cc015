"""Build French e-mails once, as plain text and HTML, with optional attachments."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from backend.db import utcnow

SIGNATURE = "L'équipe Relais"
# A web address in a paragraph, up to a space; a final stop or closing bracket stays text.
URL = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:!?)»])")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    """What one e-mail says: paragraphs, call-to-action links and a footer."""

    to: str
    subject: str
    paragraphs: list[str]
    actions: list[tuple[str, str]] = field(default_factory=list)
    footer: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    greeting: str = "Bonjour,"


def plain_text(letter: Letter) -> str:
    parts = [letter.greeting, *letter.paragraphs]
    parts += [f"{label} :\n{url}" for label, url in letter.actions]
    parts.append(f"Cordialement,\n{SIGNATURE}")
    if letter.footer:
        parts.append("--\n" + "\n".join(f"{label} : {url}" for label, url in letter.footer))
    return "\n\n".join(parts) + "\n"


def paragraph_html(text: str) -> str:
    """Escaped text whose web addresses are links and whose line breaks are <br>."""
    pieces = URL.split(text)
    out = []
    for index, piece in enumerate(pieces):
        escaped = html.escape(piece)
        out.append(f'<a href="{escaped}">{escaped}</a>' if index % 2 else escaped)
    return "<p>" + "".join(out).replace("\n", "<br>") + "</p>"


def html_text(letter: Letter) -> str:
    esc = html.escape
    body = [f"<p>{esc(letter.greeting)}</p>"]
    body += [paragraph_html(p) for p in letter.paragraphs]
    body += [
        f'<p><a href="{esc(url)}" style="font-weight:bold">{esc(label)}</a></p>'
        for label, url in letter.actions
    ]
    body.append(f"<p>Cordialement,<br>{esc(SIGNATURE)}</p>")
    if letter.footer:
        links = " · ".join(f'<a href="{esc(u)}">{esc(label)}</a>' for label, u in letter.footer)
        body.append(f'<hr><p style="font-size:small;color:#555">{links}</p>')
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{esc(letter.subject)}</title></head><body>{''.join(body)}</body></html>"
    )


def compose(letter: Letter, sender: str) -> EmailMessage:
    """The MIME message: text, HTML alternative, then attachments."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=letter.to)
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    for name, value in letter.headers.items():
        message[name] = value
    message.set_content(plain_text(letter))
    message.add_alternative(html_text(letter), subtype="html")
    for item in letter.attachments:
        message.add_attachment(
            item.content,
            maintype=item.maintype,
            subtype=item.subtype,
            filename=item.filename,
            params=item.params,
        )
    # Set last: set_content() drops Content-* headers already present.
    message["Content-Language"] = "fr"
    return message


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip(" >") or "relais.example"
