"""Security headers on every answer, and a Content-Security-Policy that lets a page run its
own inline scripts, by their hashes, and nothing else inline."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Flask, Response

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers older than CSP's frame-ancestors
    # Links from e-mails carry tokens in their query string (`?jeton=`). `same-origin` sends
    # no Referer at all to another site (the pages link to the official portal), where
    # `strict-origin-when-cross-origin` would still tell it the visitor came from Relais;
    # our own requests keep theirs, and the access log writes none.
    "Referrer-Policy": "same-origin",
}
# The same, with the names as one pass over an answer's headers finds them.
_LOWERED = tuple((name, name.lower(), value) for name, value in HEADERS.items())
# JSON, problem+json, CSS, images, feeds: nothing in them may run, load or be framed.
STRICT = "default-src 'none'; frame-ancestors 'none'"
# Material sets style attributes, so styles stay inline-capable; scripts never do.
PAGE = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'{connect}; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SCRIPT_TYPES = ("application/javascript", "text/javascript")
# Script contents end at the first `</script`, whatever follows (HTML's parsing rule).
INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script", re.IGNORECASE | re.DOTALL)
EXTERNAL = re.compile(rb"(?:^|\s)src\s*=", re.IGNORECASE)


def init_app(app: Flask) -> None:
    """Register after Flask-Compress, so the hook runs first and reads the plain body."""
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    """The headers every answer carries; a 304 carries none (see below)."""
    if response.status_code == 304:
        # A 304 updates the headers the browser stored with the page, and has no body to
        # hash: a policy from it would replace the page's own and block its inline scripts.
        return response
    # One pass over the answer's headers, then appends: werkzeug's `update` and `setdefault`
    # scan them once per name, a few per cent of a `/healthz` (issue 20).
    headers = response.headers
    present = {name.lower() for name, _value in headers}
    for name, lowered, value in _LOWERED:
        if lowered in present:
            headers.set(name, value)  # ours wins over a view's own, as `update` did
        else:
            headers.add(name, value)
    # A view that wrote its own page policy (page_policy, e.g. the app with web push) keeps it.
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", policy(response))
    return response


def page_policy(connect: tuple[str, ...] = ()) -> str:
    """The page policy of a page without inline scripts, its requests also allowed to reach
    the `connect` origins."""
    return PAGE.format(hashes="", connect="".join(f" {origin}" for origin in connect))


def policy(response: Response) -> str:
    """The page policy for HTML (with its scripts' hashes) and for scripts; strict otherwise."""
    if response.mimetype == "text/html":
        # A streamed page cannot be read here: it gets no inline script at all.
        body = b"" if response.is_streamed else response.get_data()
        hashes = "".join(f" '{h}'" for h in inline_script_hashes(body))
        return PAGE.format(hashes=hashes, connect="")
    if response.mimetype in SCRIPT_TYPES:
        # A worker runs under its own script's policy: the search worker loads lunr's
        # French stemmer and the search index from the site.
        return PAGE.format(hashes="", connect="")
    return STRICT


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP sources `sha256-…` of the page's inline scripts, in order, without repeats.

    Computed on each answer (60–130 µs for the site's pages, less than their gzip): a
    cache keyed by the body would hash the body anyway.
    """
    hashes: dict[str, None] = {}
    for match in INLINE_SCRIPT.finditer(html):
        if EXTERNAL.search(match[1]):
            continue
        # Browsers hash the text as parsed, and HTML's parser turns CR LF and CR into LF.
        text = match[2].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        digest = base64.b64encode(hashlib.sha256(text).digest()).decode()
        hashes[f"sha256-{digest}"] = None
    return list(hashes)
