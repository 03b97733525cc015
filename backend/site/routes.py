"""Serve the built community site at `/`, beside the API (same origin, no CORS).

A site address answers like a static site: a folder without its trailing slash is redirected
to it (its pages' relative links resolve against the folder), and an unknown address gets the
site's own « page introuvable » with a 404. Only `/api/…` answers problem+json.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, request, send_from_directory
from flask.blueprints import BlueprintSetupState
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter
from werkzeug.wrappers import Response

from backend import responses
from backend.api import problem
from backend.cache import compress_file_once

blp = Blueprint("site", __name__)
NOT_FOUND_PAGE = "404.html"
# Addresses that moved, kept for those who saved them (feed readers poll the old one).
MOVED = {"actualites/rss.xml": "rss.xml"}
# Shown when the site has not been built: the API still works, the pages do not.
BARE_NOT_FOUND = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Page introuvable</title>'
    "<h1>Page introuvable</h1><p>Cette adresse ne correspond à aucune page du site.</p></html>"
)


@blp.get("/api/swagger-ui/<path:filename>")
def swagger_ui(filename: str) -> Response:
    """Swagger UI's static files, served from the swagger-ui-bundle package."""
    return _read_now(send_from_directory(swagger_ui_path, filename, max_age=86400))


class SitePath(PathConverter):
    """Any path but /api/…: a URL no API rule matches (a malformed id) stays a plain 404
    instead of meeting this GET-only route and becoming a 405."""

    regex = r"(?!api(?:/|$))[^/].*?"


@blp.record_once
def _register_converter(state: BlueprintSetupState) -> None:
    state.app.url_map.converters.setdefault("sitepath", SitePath)


@blp.get("/", defaults={"path": ""})
@blp.get("/<sitepath:path>")
def page(path: str) -> Response:
    """A file of the built site; folders answer with their index.html."""
    if path in MOVED:
        return redirect(request.script_root + "/" + MOVED[path], 301)
    root = _site_root()
    target = (root / path).resolve()
    if not root.is_dir() or not target.is_relative_to(root.resolve()):
        abort(404)
    if target.is_dir():
        if path and not path.endswith("/"):
            return _with_slash()
        path = f"{path.rstrip('/')}/index.html".lstrip("/")
    return _read_now(send_from_directory(root, path, max_age=300))


def _read_now(response: Response) -> Response:
    """The file's bytes in the answer and the file closed at once: a streamed file (or one
    read for compression but closed only with the answer) stays open when a browser aborts."""
    opened = response.response
    response.direct_passthrough = False
    response.make_sequence()
    close = getattr(opened, "close", None)
    if close is not None:
        close()
    etag, _weak = response.get_etag()
    if response.status_code == 200 and etag:
        compress_file_once(f"{request.path}:{etag}")
    return response


def _with_slash() -> Response:
    """308 to the folder's canonical address; the query string (a session's ?id=) goes along."""
    location = quote(request.script_root + request.path) + "/"
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, 308)


@blp.errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    """The site's own 404 page for its addresses; the API's files keep problem+json."""
    if request.path.startswith("/api/"):
        return problem(404)
    page = _site_root() / NOT_FOUND_PAGE
    body = page.read_bytes() if page.is_file() else BARE_NOT_FOUND.encode()
    return responses.Response(body, 404, mimetype="text/html")


def _site_root() -> Path:
    return Path(current_app.extensions["relais_config"].site_dir)
