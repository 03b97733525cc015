"""What Flask-Compress does to answers, through `init_compress`: small answers and 304s left
plain but marked `Vary`, large ones compressed, and a compressed page revalidated with the
ETag it was sent with; the site's files compressed once per worker, a part of a file never;
and `RelaisFlask.ensure_sync`'s memory."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.cache import MemoryCache, response_cache
from tests.conftest import sibling_app

GZIP = {"Accept-Encoding": "gzip"}
# Large enough to be compressed (COMPRESS_MIN_SIZE is 500 bytes).
PAGE = "<!doctype html><html lang='fr'><body>" + "<p>Bonjour</p>" * 100 + "</body></html>"


@pytest.fixture
def site(app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """A client of an app serving a built site of one page."""
    (tmp_path / "site" / "guide").mkdir(parents=True)
    (tmp_path / "site" / "guide" / "index.html").write_text(PAGE)
    site_dir = str(tmp_path / "site")
    with sibling_app(app, tmp_path / "instance", site_dir=site_dir) as other, other.app_context():
        yield other.test_client()


def test_a_small_answer_is_left_plain_and_varies_by_encoding(client: FlaskClient) -> None:
    answer = client.get("/healthz", headers=GZIP)
    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers
    assert answer.headers["Vary"] == "Accept-Encoding"
    assert answer.get_json() == {"status": "ok"}


def test_a_large_answer_is_compressed_and_revalidates_with_its_compressed_etag(
    site: FlaskClient,
) -> None:
    with site.get("/guide/", headers=GZIP) as first:
        assert first.status_code == 200
        assert first.headers["Content-Encoding"] == "gzip"
        assert first.headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(first.data).decode() == PAGE
        etag = first.headers["ETag"]
        assert etag.endswith(':gzip"')
    with site.get("/guide/", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""
        assert "Accept-Encoding" in again.headers["Vary"]
    # A stale tag, or none, gets the page again.
    with site.get("/guide/", headers={**GZIP, "If-None-Match": '"autre:gzip"'}) as stale:
        assert stale.status_code == 200
        assert gzip.decompress(stale.data).decode() == PAGE


def test_a_client_without_gzip_gets_the_plain_page_and_its_plain_etag(site: FlaskClient) -> None:
    with site.get("/guide/") as plain:
        assert plain.status_code == 200
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data(as_text=True) == PAGE
        etag = plain.headers["ETag"]
    assert not etag.endswith(':gzip"')
    with site.get("/guide/", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


STYLESHEET = "/* Relais */\n" + ".md-typeset p { margin: 0 0 1em; color: #222; }\n" * 60


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """A site of one page and one stylesheet, served by an app whose response cache is on."""
    (tmp_path / "site" / "assets").mkdir(parents=True)
    (tmp_path / "site" / "index.html").write_text(PAGE)
    (tmp_path / "site" / "assets" / "main.css").write_text(STYLESHEET)
    site_dir = str(tmp_path / "site")
    settings = {"site_dir": site_dir, "response_cache": True}
    with sibling_app(app, tmp_path / "instance", **settings) as other, other.app_context():
        yield other.test_client()


def test_a_stylesheet_is_compressed_once_per_worker(files: FlaskClient) -> None:
    """The site's files (and Swagger UI's, and the app's) are compressed like pages; each
    worker keeps the compressed body, under the file's ETag, instead of compressing it again."""
    client = files
    bodies = []
    for _ in range(2):
        with client.get("/assets/main.css", headers=GZIP) as answer:
            assert answer.status_code == 200
            assert answer.headers["Content-Encoding"] == "gzip"
            assert answer.headers["Vary"] == "Accept-Encoding"
            assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert gzip.decompress(answer.data).decode() == STYLESHEET
            bodies.append(answer.data)
            etag = answer.headers["ETag"]
    assert bodies[0] == bodies[1] and len(bodies[0]) < len(STYLESHEET) // 4
    cache = response_cache()
    assert isinstance(cache, MemoryCache)
    kept = [key for key in cache._items if key.startswith("compressed:gzip;file:")]
    file_etag = etag.strip('"').removesuffix(":gzip")
    assert kept == [f"compressed:gzip;file:/assets/main.css:{file_etag}"]
    with client.get("/assets/main.css", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get("/assets/main.css") as plain:
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data(as_text=True) == STYLESHEET


def test_a_part_of_a_file_is_sent_as_it_is_on_disk(files: FlaskClient) -> None:
    """A 206's Content-Range counts the file's own bytes: the part is never compressed."""
    client = files
    for path, text in (("/", PAGE), ("/assets/main.css", STYLESHEET)):
        ranged = {**GZIP, "Range": "bytes=0-999"}
        with client.get(path, headers=ranged) as part:
            assert part.status_code == 206, path
            assert "Content-Encoding" not in part.headers
            assert part.headers["Content-Range"] == f"bytes 0-999/{len(text.encode())}"
            assert part.data == text.encode()[:1000]


def test_ensure_sync_asks_once_per_function_and_stays_bounded(app: Flask) -> None:
    """`RelaisFlask.ensure_sync` remembers whether a function is a coroutine function by the
    plain function: methods bound anew on each request add nothing, and functions made on
    each request stop being remembered past `KNOWN_MAX`."""

    class View:
        def get(self) -> str:
            return "ok"

    before = len(app._is_async)  # type: ignore[attr-defined]
    for _ in range(100):
        method = View().get
        assert app.ensure_sync(method) is method
    assert len(app._is_async) == before + 1  # type: ignore[attr-defined]
    for _ in range(app.KNOWN_MAX + 10):  # type: ignore[attr-defined]
        made = lambda: None  # noqa: E731  (a new function each time)
        assert app.ensure_sync(made) is made
    assert len(app._is_async) == app.KNOWN_MAX  # type: ignore[attr-defined]

    async def coroutine() -> None:
        return None

    # As Flask does: a coroutine function is wrapped, never returned as is.
    try:
        wrapped = app.ensure_sync(coroutine)
    except RuntimeError as missing:  # Flask's async support needs the `asgiref` package
        assert "async" in str(missing).lower()
    else:
        assert wrapped is not coroutine


def test_an_empty_query_string_is_parsed_once_per_schema_and_handed_out_as_a_copy(
    app: Flask,
) -> None:
    """`Parser.parse` keeps what an empty query loads to (the schema's defaults): each caller
    gets its own copy, and a query string is always parsed."""
    from marshmallow import fields
    from werkzeug.exceptions import UnprocessableEntity

    from backend.api import Parser
    from backend.schemas import QuerySchema

    class Args(QuerySchema):
        limit = fields.Integer(load_default=25)
        status = fields.List(fields.String(), load_default=list)

    parser, schema = Parser(), Args()
    with app.test_request_context("/"):
        first = parser.parse(schema, location="query")
        assert first == {"limit": 25, "status": []}
        first["status"].append("REJETEE")
        first.pop("limit")
        assert parser.parse(schema, location="query") == {"limit": 25, "status": []}
    assert len(parser._empty_queries) == 1
    with app.test_request_context("/?limit=3&status=SUSPENDUE"):
        assert parser.parse(schema, location="query") == {"limit": 3, "status": ["SUSPENDUE"]}
    with app.test_request_context("/?limit=abc"):
        with pytest.raises(UnprocessableEntity) as refused:
            parser.parse(schema, location="query")
        assert "limit" in refused.value.data["messages"]["query"]  # type: ignore[attr-defined]
    with app.test_request_context("/"):
        assert parser.parse(schema, location="query") == {"limit": 25, "status": []}
