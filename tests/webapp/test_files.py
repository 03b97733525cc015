"""The app's files at /app/: their types, their caching, the service worker's file list, the
address without its slash, and a policy that runs the app's own files and nothing inline."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from backend.webapp.routes import APP_DIR, PLACEHOLDER, app_files

pytestmark = pytest.mark.nodb

EXPECTED_TYPES = {
    "/app/": "text/html",
    "/app/js/main.js": "text/javascript",
    "/app/js/views/detail.js": "text/javascript",
    "/app/sw.js": "text/javascript",
    "/app/css/app.css": "text/css",
    "/app/manifest.webmanifest": "application/manifest+json",
    "/app/icons/icon.svg": "image/svg+xml",
    "/app/icons/icon-192.png": "image/png",
    "/app/vendor/uqr/uqr.js": "text/javascript",
    "/app/vendor/uqr/LICENSE.txt": "text/plain",
}


@pytest.mark.parametrize(("path", "mimetype"), EXPECTED_TYPES.items())
def test_each_file_has_its_type_and_is_revalidated(
    client: FlaskClient, path: str, mimetype: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Used only after a revalidation: a new version shows at once, an unchanged file costs a 304.
    assert "no-cache" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304, path
    assert again.data == b""


def test_app_without_its_slash_goes_to_the_app_once(client: FlaskClient) -> None:
    response = client.get("/app")
    assert response.status_code == 308
    assert response.headers["Location"] == "/app/"
    followed = client.get("/app", follow_redirects=True)
    assert followed.status_code == 200 and followed.mimetype == "text/html"
    assert len(followed.history) == 1
    assert b'<html lang="fr">' in followed.data
    assert client.get("/app?x=1").headers["Location"] == "/app/?x=1"
    # The page's own name leads to its one address (the worker keeps it under that one).
    assert client.get("/app/index.html").headers["Location"].endswith("/app/")


@pytest.mark.parametrize(
    "path", ["/app/nope.js", "/app/../pyproject.toml", "/app/js", "/app/js/", "/app/app.py"]
)
def test_anything_else_is_not_found(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"  # a page, as the site's: not problem+json
    assert "Fichier introuvable" in response.get_data(as_text=True)


def test_the_page_policy_allows_the_apps_own_files_and_no_inline_script(
    client: FlaskClient,
) -> None:
    response = client.get("/app/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy  # no hash: the page has no inline script
    assert "connect-src 'self'" in policy and "default-src 'self'" in policy
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "script en ligne"
    # Nothing from another origin, anywhere in the app.
    for path in APP_DIR.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".webmanifest"):
            text = path.read_text("utf-8")
            assert not re.search(r"(?:src|href)=\"?https?://", text), path
            assert "innerHTML" not in text, path  # data goes in as text only


def test_the_worker_is_told_every_file_and_a_version_of_their_contents(
    client: FlaskClient, tmp_path: Path
) -> None:
    source = (APP_DIR / "sw.js").read_text("utf-8")
    assert PLACEHOLDER in source
    served = client.get("/app/sw.js").get_data(as_text=True)
    found = re.search(r"const MANIFEST = (\{.*?\}); // replaced when served", served)
    assert found, served[:400]
    manifest = json.loads(found[1])
    files, digest = app_files()
    assert manifest == {"version": digest[:16], "files": files}
    assert "/app/" in files and "/app/js/main.js" in files and "/app/css/app.css" in files
    assert "/app/sw.js" not in files and "/app/index.html" not in files
    for url in files:  # every file the worker keeps answers
        assert client.get(url).status_code == 200, url


def test_the_manifest_makes_an_installable_french_app(client: FlaskClient) -> None:
    manifest = client.get("/app/manifest.webmanifest").get_json(force=True)
    assert manifest["lang"] == "fr" and manifest["scope"] == "/app/"
    assert manifest["start_url"].startswith("/app/") and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get("/app/" + icon["src"]).status_code == 200, icon


def test_the_vendored_qr_encoder_is_the_pinned_copy_with_its_licence() -> None:
    """uqr is copied unchanged from its npm package: the hash its README gives still holds."""
    folder = APP_DIR / "vendor" / "uqr"
    readme = (folder / "README.txt").read_text("utf-8")
    pinned = re.search(r"sha256 of uqr\.js ([0-9a-f]{64})", readme)
    assert pinned and "uqr@0.1.3" in readme
    assert hashlib.sha256((folder / "uqr.js").read_bytes()).hexdigest() == pinned[1]
    assert "MIT License" in (folder / "LICENSE.txt").read_text("utf-8")
    files, _ = app_files()
    assert not [f for f in files if "/vendor/uqr/" in f]  # loaded when 2FA is turned on


def test_the_vendored_firebase_sdk_is_pinned_licensed_local_and_not_precached(
    client: FlaskClient,
) -> None:
    vendor = APP_DIR / "vendor" / "firebase"
    assert "Apache License" in (vendor / "LICENSE.txt").read_text("utf-8")
    readme = (vendor / "README.txt").read_text("utf-8")
    assert "firebase@13.2.0" in readme
    for name in ("firebase-app.js", "firebase-messaging.js"):
        text = (vendor / name).read_text("utf-8")
        imports = re.findall(
            r"""\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']""", text
        )
        assert all(not (a or b).startswith(("http:", "https:", "//")) for a, b in imports), name
        assert client.get(f"/app/vendor/firebase/{name}").mimetype == "text/javascript"
    assert re.search(
        r'from\s*"\./firebase-app\.js"', (vendor / "firebase-messaging.js").read_text("utf-8")
    )
    # Loaded only when web push is configured (and then with the network): not kept offline.
    files, _ = app_files()
    assert not [f for f in files if "/vendor/" in f]
