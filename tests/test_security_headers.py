"""Every answer carries the security headers; pages allow their own inline scripts, by hash,
and nothing else inline (the browser side is in tests/site/test_browser.py)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backend.security import add_security_headers
from tests.conftest import sibling_app

# As MkDocs Material writes them: inline scripts whose text varies with the page's depth,
# a JSON block, files, and a line ending a browser's parser turns into a plain LF.
PAGE = """<!doctype html><html lang="fr"><head>
<script>__md_scope=new URL("../..",location)</script>
<script src="../../assets/javascripts/bundle.js"></script>
<SCRIPT type="text/javascript">var palette = 1;\r\nvar other = 2;</SCRIPT>
</head><body><p>Bonjour</p>
<script id="__config" type="application/json">{"base": "../.."}</script>
<script data-src="x">var lazy = true;</script>
</body></html>
"""


class InlineScripts(HTMLParser):
    """The texts of a page's inline scripts, as a browser's HTML parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and "src" not in dict(attrs):
            self._inline = True
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inline = False

    def handle_data(self, data: str) -> None:
        if self._inline:
            self.texts[-1] += data


def script_hashes(html: str) -> list[str]:
    parser = InlineScripts()
    parser.feed(html.replace("\r\n", "\n"))
    digests = [hashlib.sha256(text.encode()).digest() for text in parser.texts]
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


def directives(answer: TestResponse) -> dict[str, list[str]]:
    policy = answer.headers["Content-Security-Policy"]
    parts = [part.split() for part in policy.split(";")]
    return {part[0]: part[1:] for part in parts}


def assert_common_headers(answer: TestResponse) -> None:
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert directives(answer)["frame-ancestors"] == ["'none'"]


@pytest.fixture
def site(app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """A client of an app serving a built site of one page."""
    (tmp_path / "site" / "guide").mkdir(parents=True)
    (tmp_path / "site" / "guide" / "index.html").write_bytes(PAGE.encode())
    site_dir = str(tmp_path / "site")
    with sibling_app(app, tmp_path / "instance", site_dir=site_dir) as other, other.app_context():
        yield other.test_client()


def test_json_answers_allow_nothing(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert_common_headers(answer)
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_each_header_is_sent_once_and_ours_win_but_a_page_policy() -> None:
    """A header a view set itself: the security headers replace its value (never a second
    copy), and a policy it wrote is kept (the app's page with web push writes its own)."""
    own = {
        "X-Frame-Options": "SAMEORIGIN",
        "referrer-policy": "unsafe-url",
        "Content-Security-Policy": "default-src 'self'",
    }
    answer = add_security_headers(Response("{}", mimetype="application/json", headers=own))
    assert answer.headers.getlist("X-Frame-Options") == ["DENY"]
    assert answer.headers.getlist("Referrer-Policy") == ["same-origin"]
    assert answer.headers.getlist("X-Content-Type-Options") == ["nosniff"]
    assert answer.headers.getlist("Content-Security-Policy") == ["default-src 'self'"]
    names = [name.lower() for name, _value in answer.headers]
    assert sorted(names) == sorted({*names})  # no header twice


def test_problem_answers_carry_the_headers(client: FlaskClient) -> None:
    answer = client.get("/api/v1/nothing-here")
    assert answer.status_code == 404 and answer.mimetype == "application/problem+json"
    assert_common_headers(answer)
    assert directives(answer)["default-src"] == ["'none'"]


def test_a_site_page_allows_exactly_its_inline_scripts(site: FlaskClient) -> None:
    with site.get("/guide/") as answer:
        assert answer.status_code == 200
        assert_common_headers(answer)
        policy = directives(answer)
    expected = script_hashes(PAGE)
    assert len(expected) == 4  # the `src` one is a file, allowed by 'self'
    assert policy["script-src"] == ["'self'", *expected]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in str(policy)


def test_a_revalidated_page_keeps_the_policy_stored_with_it(site: FlaskClient) -> None:
    """A 304 would replace the stored page's headers, and it has no body to hash."""
    with site.get("/guide/") as first:
        etag = first.headers["ETag"]
    with site.get("/guide/", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert "Content-Security-Policy" not in again.headers


def test_api_docs_page_allows_its_own_script(client: FlaskClient) -> None:
    answer = client.get("/api/docs")
    assert answer.status_code == 200
    assert_common_headers(answer)
    html = answer.get_data(as_text=True)
    assert directives(answer)["script-src"] == ["'self'", *script_hashes(html)]
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


def test_scripts_may_load_what_a_worker_needs(client: FlaskClient) -> None:
    """Material's search worker runs under its own file's policy: lunr and the index."""
    with client.get("/api/swagger-ui/swagger-ui-bundle.js") as answer:
        policy = directives(answer)
    assert policy["script-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
