"""Site addresses answer like a static site: folders redirect to their slash form, unknown pages
get the site's own 404 page; only /api/ answers problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import sibling_app

pytestmark = pytest.mark.nodb

NOT_FOUND = (
    '<!doctype html><html lang="fr"><title>Page introuvable</title><h1>Page introuvable</h1>'
)


@pytest.fixture
def site(app: Flask, tmp_path: Path) -> Iterator[FlaskClient]:
    """An app serving a built site: a home page, the calendar, the session page, its 404."""
    root = tmp_path / "site"
    for folder in ("formations/calendrier", "formations/session"):
        (root / folder).mkdir(parents=True)
        (root / folder / "index.html").write_text(f"<h1>{folder}</h1>", "utf-8")
    (root / "index.html").write_text("<h1>Accueil</h1>", "utf-8")
    (root / "404.html").write_text(NOT_FOUND, "utf-8")
    with sibling_app(app, tmp_path / "instance", site_dir=str(root)) as other, other.app_context():
        yield other.test_client()


def test_a_folder_without_its_slash_is_redirected_with_its_query(site: FlaskClient) -> None:
    answer = site.get("/formations/calendrier")
    assert answer.status_code == 308
    assert answer.headers["Location"] == "/formations/calendrier/"
    answer = site.get("/formations/session?id=1&id=2")
    assert answer.status_code == 308
    assert answer.headers["Location"] == "/formations/session/?id=1&id=2"
    with site.get("/formations/session?id=1", follow_redirects=True) as followed:
        assert followed.status_code == 200 and b"formations/session" in followed.data
    for path in ("/formations/calendrier/", "/"):
        with site.get(path) as answer:
            assert answer.status_code == 200


@pytest.mark.parametrize(
    "path", ["/xyz", "/formations/nulle-part/", "/fiches/pdf/absente.pdf", "/../etc/passwd"]
)
def test_an_unknown_site_address_gets_the_site_404_page(site: FlaskClient, path: str) -> None:
    answer = site.get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    assert "Page introuvable" in answer.get_data(as_text=True)
    assert "Content-Security-Policy" in answer.headers


@pytest.mark.parametrize("path", ["/api/v1/nulle-part", "/api", "/api/swagger-ui/absent.js"])
def test_api_addresses_keep_problem_json(site: FlaskClient, path: str) -> None:
    answer = site.get(path)
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"


def test_without_a_built_site_the_404_is_still_a_french_page(app: Flask, tmp_path: Path) -> None:
    absent = str(tmp_path / "absent")
    with sibling_app(app, tmp_path / "instance", site_dir=absent) as other, other.app_context():
        answer = other.test_client().get("/formations/")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "Page introuvable" in answer.get_data(as_text=True)


def test_the_moved_news_feed_still_answers_at_its_old_address(site: FlaskClient) -> None:
    answer = site.get("/actualites/rss.xml")
    assert answer.status_code == 301 and answer.headers["Location"] == "/rss.xml"
