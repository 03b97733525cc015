"""The announcement bar and the maintenance news posts, as the build renders them."""

from __future__ import annotations

import datetime as dt
import re
import sys
from html import unescape
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from backend.timeutil import PARIS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs_site" / "hooks"))
from relais_pages import annonces

pytestmark = pytest.mark.nodb


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=PARIS).astimezone(dt.UTC)


def _maintenance(id_: int, day: int, start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "category": "maintenance",
        "category_label": "Maintenance",
        "title": f"Maintenance n° {id_}",
        "body": "Première phrase.\n\nDeuxième paragraphe.",
        "published_at": _at(6, 9),
        "window_starts_at": _at(day, start),
        "window_ends_at": _at(day, end, 30),
        "in_progress": False,
        **extra,
    }


def test_the_bar_shows_the_soonest_on_one_line_and_every_notice_inside() -> None:
    seventh, tenth = _maintenance(1, 7, 13, 15), _maintenance(2, 10, 8, 12)
    html = annonces.bar(annonces.shown([seventh, tenth]))
    line = re.search(r"<summary[^>]*>(.*?)</summary>", html)
    assert line
    text = re.sub(r"<[^>]+>", "", line.group(1))
    assert text == "Maintenance 7 déc., 13 h – 15 h 30\u00a0: Maintenance n° 1et 1 autre"
    assert text.count("13 h") == 1, "the date is said once"
    items = re.findall(r'<li data-annonce="([^"]+)">', html)
    assert items == [annonces.key(seventh), annonces.key(tenth)]
    assert "lundi 7 décembre 2026, de 13 h 00 à 15 h 30 (heure de Paris)" in html
    assert '<p class="relais-annonces__texte-long">Deuxième paragraphe.</p>' in html
    assert 'href="/actualites/2026/12/06/maintenance-1/"' in html
    assert "data-relais-annonces hidden" in annonces.bar([])


def test_short_windows_in_french() -> None:
    overnight = _maintenance(3, 31, 22, 23, window_ends_at=_at(31, 23) + dt.timedelta(hours=8))
    assert annonces.line_when(overnight) == "31 déc., 22 h – 1er janv., 7 h"
    running = _maintenance(4, 7, 13, 15, in_progress=True)
    assert annonces.line_when(running) == "jusqu'à 15 h 30"
    incident = {**_maintenance(5, 7, 13, 15), "category": "incident", "category_label": "Incident"}
    incident.update(window_starts_at=None, window_ends_at=None)
    assert annonces.line_when(incident) == ""
    assert "Incident</strong>\u00a0: Maintenance n° 5" in annonces.bar([incident])
    assert "signalé le dimanche 6 décembre 2026 à 9 h 00" in annonces.bar([incident])


def test_a_moved_window_is_another_dismissal_key() -> None:
    first = _maintenance(6, 7, 13, 15)
    moved = {**first, "window_starts_at": _at(8, 13)}
    assert annonces.key(first) != annonces.key(moved)
    assert annonces.key(first).startswith("6:")


def test_each_maintenance_is_a_news_post_with_its_window_and_text() -> None:
    item = _maintenance(7, 7, 13, 15, title="Mise à jour *urgente* {.x}", body="Le **texte**.")
    source = annonces.post(item)
    front, body = source.removeprefix("---\n").split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["slug"] == "maintenance-7"
    assert meta["date"] == dt.datetime(2026, 12, 6, 9, 0)  # a datetime for the blog
    assert meta["categories"] == ["Maintenance"]
    assert "lundi 7 décembre 2026, de 13 h 00 à 15 h 30" in meta["description"]
    html = unescape(markdown.markdown(body, extensions=["attr_list"]))
    assert "<h1>Mise à jour *urgente* {.x}</h1>" in html  # the title, not markup
    assert "lundi 7 décembre 2026, de 13 h 00 à 15 h 30 (heure de Paris)" in html
    assert "<strong>texte</strong>" in html
    assert annonces.post_uri(item) == "actualites/posts/maintenance-7.md"
