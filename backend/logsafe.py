"""What may be written to logs: e-mail addresses masked, link tokens cut out of paths."""

from __future__ import annotations

import re

# Loose on purpose: whatever looks like an address in a server's message is masked too.
EMAIL = re.compile(r"(\w)[\w.!#$%&'*+/=?^`{|}~-]*@([\w-]+(?:\.[\w-]+)+)")
# Relais' link tokens are itsdangerous signatures (backend/links.py): base64url
# parts joined by dots, the last one a signature of 27 characters. File names of the site
# (`bundle.a5f9d56c.min.js`) end with a short extension, so they never look like one.
SIGNED_TOKEN = re.compile(r"^[\w-]+(?:\.[\w-]+){1,2}$")
SIGNATURE_MIN_LENGTH = 20


def mask_email(address: str | None) -> str:
    """`claire.lefevre@example.fr` → `c***@example.fr`: who it was is not readable."""
    found = EMAIL.search(address or "")
    return f"{found[1]}***@{found[2]}" if found else "***"


def redact_emails(text: str) -> str:
    """Every address in a text masked (an SMTP server's error often repeats the recipient)."""
    return EMAIL.sub(r"\1***@\2", text)


def loggable_path(path: str) -> str:
    """A request path with any link token replaced by `…` (the one-click unsubscribe URL)."""
    if "." not in path:
        return path  # the common case, an API or site path: nothing to look at
    return "/".join("…" if _is_signed_token(part) else part for part in path.split("/"))


def _is_signed_token(segment: str) -> bool:
    return bool(SIGNED_TOKEN.match(segment)) and (
        len(segment.rsplit(".", 1)[1]) >= SIGNATURE_MIN_LENGTH
    )
