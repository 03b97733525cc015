"""The page around Swagger UI (/api/docs) is ours: French, sized for phones, a link back to
the site, its own stylesheet and script served beside it (the browser checks the rest:
tests/site/test_browser_api_docs.py)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_the_page_is_french_fits_a_phone_and_links_back(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    assert re.search(r'<html lang="fr">', html)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<a class="relais-docs-back" href="/">← Retour au site Relais</a>' in html
    assert '{url: "/api/openapi.json", dom_id: "#swagger-ui-container"}' in html
    # One inline script, allowed by its hash; everything else comes from Relais itself.
    policy = page.headers["Content-Security-Policy"]
    assert len(re.findall(r"'sha256-", policy)) == 1
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_its_stylesheet_and_script_are_served(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    for path, kind in (
        ("/api/docs/static/relais.css", "css"),
        ("/api/docs/static/relais.js", "javascript"),
    ):
        assert path in html
        with client.get(path) as answer:
            assert answer.status_code == 200 and answer.mimetype.endswith(kind)
    with client.get("/api/docs/static/../__init__.py") as escape:
        assert escape.status_code == 404
