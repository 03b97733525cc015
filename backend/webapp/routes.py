"""Serve the supplier's web app at `/app/`: the files of the top-level `app/` folder.

No build step: the files are served as they are, each revalidated on use (`no-cache` with its
ETag, so an unchanged file costs a 304). The service worker is the one file rewritten on the
way out: it learns the app's file list and a version hashed from their contents, so any
changed file makes a new worker that fetches the new files (and offline, the cached ones
serve).
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, abort, current_app, redirect, request
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from backend import responses
from backend.cache import compress_file_once
from backend.config import ROOT
from backend.security import page_policy

blp = Blueprint("webapp", __name__)
APP_DIR = ROOT / "app"
PREFIX = "/app/"
WORKER = "sw.js"
# The worker's placeholder (valid JavaScript as it stands in the file).
PLACEHOLDER = '{"version": "dev", "files": []}'
# Only these files are served, each with its type (Python's table varies with the system).
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain",
}
# A page, as for the site's addresses: only /api/ answers problem+json.
NOT_FOUND_PAGE = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Fichier introuvable</title>'
    '<h1>Fichier introuvable</h1><p><a href="/app/">Ouvrir l\'application Relais</a></p></html>'
)
# With FIREBASE_WEB_CONFIG, the page asks Firebase for its FCM token (the vendored Firebase
# JS SDK, app/vendor/firebase/): these two services only, for the page's requests.
FIREBASE_ORIGINS = (
    "https://firebaseinstallations.googleapis.com",
    "https://fcmregistrations.googleapis.com",
)
# Files the app never needs at run time (documentation, licences stay readable but uncached).
NOT_PRECACHED = {".txt"}
# Loaded only when web push is configured, and then with the network anyway.
NOT_PRECACHED_DIRS = ("vendor/",)


@blp.get("/app")
def bare() -> Response:
    """`/app` without its slash: the app's relative addresses resolve against `/app/`."""
    location = PREFIX
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return redirect(location, 308)


@blp.get(PREFIX, defaults={"filename": "index.html"})
@blp.get(PREFIX + "<path:filename>")
def app_file(filename: str) -> Response:
    """A file of the app, revalidated on every use; the worker with its file list."""
    target = (APP_DIR / filename).resolve()
    mimetype = TYPES.get(target.suffix)
    if mimetype is None or not target.is_file() or not target.is_relative_to(APP_DIR):
        abort(404)
    # Small files, read whole: nothing is left open when the answer is a 304.
    body = _worker_source() if filename == WORKER else target.read_bytes()
    response = responses.Response(body, mimetype=mimetype)
    etag = hashlib.sha256(body).hexdigest()[:32]
    response.set_etag(etag)
    compress_file_once(f"{request.path}:{etag}")
    # no-cache: used only after a revalidation (a 304 when unchanged), so a new version of
    # the app is picked up at once; the service worker keeps the copies used offline.
    response.cache_control.no_cache = True
    response.cache_control.max_age = None
    response.cache_control.public = True
    if mimetype == "text/html" and current_app.extensions["relais_config"].firebase_web_config:
        response.headers["Content-Security-Policy"] = page_policy(FIREBASE_ORIGINS)
    return response.make_conditional(request)


@blp.errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    return responses.Response(NOT_FOUND_PAGE, 404, mimetype="text/html")


def _worker_source() -> bytes:
    """The service worker, told the files to keep and a version that changes with any of them.

    Its scope is the folder it is served from (/app/): no Service-Worker-Allowed needed."""
    source = (APP_DIR / WORKER).read_text("utf-8")
    files, digest = app_files()
    manifest = json.dumps({"version": digest[:16], "files": files})
    return source.replace(PLACEHOLDER, manifest, 1).encode("utf-8")


def app_files() -> tuple[list[str], str]:
    """The addresses the worker keeps for offline use, and a hash of every file's content."""
    digest = hashlib.sha256()
    files = [PREFIX]
    for path in sorted(p for p in APP_DIR.rglob("*") if p.is_file()):
        if path.suffix not in TYPES:
            continue
        relative = path.relative_to(APP_DIR).as_posix()
        digest.update(relative.encode() + b"\0" + path.read_bytes())
        kept = path.suffix not in NOT_PRECACHED and not relative.startswith(NOT_PRECACHED_DIRS)
        if kept and path.name not in (WORKER, "index.html"):
            files.append(PREFIX + relative)
    return files, digest.hexdigest()
