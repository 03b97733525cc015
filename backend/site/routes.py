"""Serve the built community site at `/`, beside the API (same origin, no CORS)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask.blueprints import BlueprintSetupState
from swagger_ui_bundle import swagger_ui_path
from werkzeug.routing import PathConverter
from werkzeug.wrappers import Response

blp = Blueprint("site", __name__)


@blp.get("/api/swagger-ui/<path:filename>")
def swagger_ui(filename: str) -> Response:
    """Swagger UI's static files, served from the swagger-ui-bundle package."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


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
    root = Path(current_app.extensions["relais_config"].site_dir)
    if not root.is_dir():
        abort(404)
    target = (root / path).resolve()
    if not target.is_relative_to(root.resolve()):
        abort(404)
    if target.is_dir():
        path = f"{path.rstrip('/')}/index.html".lstrip("/")
    response = send_from_directory(root, path, max_age=300)
    # Read the file now: compressing a streamed file leaves it open when a browser aborts.
    response.direct_passthrough = False
    response.make_sequence()
    return response
