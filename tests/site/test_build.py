"""The community site builds in strict mode and holds what newcomers look for."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.site.sheets import SHEETS

pytestmark = pytest.mark.nodb

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "docs_site" / "mkdocs.yml"
DOCS = ROOT / "docs_site" / "docs"

TUTORIALS = [
    "creer-un-compte",
    "deposer-une-facture",
    "saisir-une-facture-simple",
    "suivre-une-facture-simple",
    "parametrer-les-espaces",
    "travaux-fournisseurs",
    "travaux-moe",
    "travaux-moa",
    "suivre-factures-travaux",
    "modifier-son-siret",
    "parametrage-entites-publiques",
    "demander-un-rattachement",
    "habilitations-utilisateurs",
    "habilitations-avance",
    "saisir-une-sollicitation",
    "frais-de-justice-saisie",
    "frais-de-justice-sollicitations",
]
FORBIDDEN = re.compile(r"\b(TODO|TBD|placeholder|lorem ipsum|FIXME)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(CONFIG), "-d", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        # Without the database: a developer's demo data (and its maintenance posts) stays out.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "RELAIS_SITE_LIVE": "0"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


def test_tutorials_and_sheets_are_built(site: Path) -> None:
    for slug in TUTORIALS:
        page = (site / "tutoriels" / slug / "index.html").read_text(encoding="utf-8")
        for heading in ("Prérequis", "Étapes", "Ce qui peut mal se passer"):
            assert heading in page, f"{slug}: {heading}"
    for slug in SHEETS:
        page = (site / "fiches" / slug / "index.html").read_text(encoding="utf-8")
        assert f"pdf/{slug}.pdf" in page


def test_sheet_pdfs_fit_on_two_pages(site: Path) -> None:
    pdfs = sorted((site / "fiches" / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("Chromium absent: PDF des fiches non générés")
    assert {p.stem for p in pdfs} == set(SHEETS)
    for pdf in pdfs:
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
        assert 1 <= pages <= 2, f"{pdf.name}: {pages} pages"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("SIRET", "tutoriels/modifier-son-siret/"),
        ("recycler", "statuts/"),
        ("rejetée", "statuts/"),
    ],
)
def test_french_search_finds_pages(site: Path, word: str, expected: str) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["fr"]
    pages = {
        doc["location"].split("#")[0] for doc in index["docs"] if word.lower() in _searchable(doc)
    }
    assert expected in pages
    assert any(p.startswith("tutoriels/") for p in pages)


def test_search_joins_french_word_families(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "forms" in index["config"]["fields"]
    family = [doc for doc in index["docs"] if "recyclage" in _searchable(doc)]
    assert family
    for doc in family:
        assert "recycler" in _searchable(doc), doc["location"]


def _searchable(doc: dict) -> str:
    return " ".join((doc.get("title", ""), doc.get("text", ""), doc.get("forms", ""))).lower()


def test_rss_feed_lists_posts(site: Path) -> None:
    channel = ET.parse(site / "rss.xml").getroot().find("channel")
    assert channel is not None
    items = channel.findall("item")
    posts = list((DOCS / "actualites" / "posts").glob("*.md"))
    assert len(items) == len(posts) >= 3
    titles = [item.findtext("title") for item in items]
    assert "Relais 0.1.0" in titles
    for item in items:
        assert item.findtext("link", "").startswith("http")
        assert item.findtext("pubDate")
        assert item.findall("category")


def test_no_placeholder_words(site: Path) -> None:
    offenders = []
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
        if FORBIDDEN.search(text):
            offenders.append(str(page.relative_to(site)))
    assert not offenders, offenders


def test_pages_are_french_and_say_it_is_not_official(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home
    assert "pas le site officiel" in home


def test_french_typography_in_sources() -> None:
    """A non-breaking space goes before : ; ! ? and inside « », outside code."""
    bad = re.compile(r" [:;!?](?=\s|$)|« | »")
    offenders = []
    for path in sorted(DOCS.rglob("*.md")):
        in_fence = False
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        for number, line in enumerate(body.splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            prose = re.sub(r"`[^`]*`|<[^>]+>", "", line)
            if not in_fence and bad.search(prose):
                offenders.append(f"{path.relative_to(DOCS)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders[:20])


def test_the_roles_table_is_printed_from_the_code(site: Path) -> None:
    """The « Application » page shows backend/accounts/roles.py's table, row for row."""
    from backend.accounts.models import Role
    from backend.accounts.roles import ROLE_NAMES, TABLE

    html = (site / "application" / "membres" / "index.html").read_text(encoding="utf-8")
    assert "relais:tableau-des-roles" not in html
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    cells = [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, flags=re.S)
        ]
        for r in rows
    ]
    assert cells[0] == ["Ce que l'on peut faire", *(ROLE_NAMES[r] for r in Role)]
    expected = [
        [row.label, *("Oui" if role in row.roles else "Non" for role in Role)] for row in TABLE
    ]
    assert cells[1 : 1 + len(TABLE)] == expected
