"""The community site builds in strict mode and holds what newcomers look for."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path
from urllib.parse import urljoin
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


LEGAL_PAGES = {"confidentialite/": "Protection des données personnelles",
               "mentions-legales/": "Mentions légales"}  # fmt: skip


def test_every_footer_links_the_privacy_and_legal_pages(site: Path) -> None:
    """From any page, the footer leads to both, by a link that lands on the built page."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    for page in pages:
        html = page.read_text(encoding="utf-8")
        footer = html[html.index('<div class="md-copyright">') :]
        here = "/" + page.relative_to(site).as_posix()
        for target, label in LEGAL_PAGES.items():
            found = re.search(rf'<a href="([^"]*)">{label}</a>', footer)
            assert found, f"{here}: pas de lien « {label} » en pied de page"
            assert urljoin(here, found[1]) == "/" + target, f"{here}: {found[1]}"
            assert (site / target / "index.html").is_file()


def _text(site: Path, page: str) -> str:
    """A built page's article as plain text, spaces (non-breaking too) collapsed."""
    html = (site / page / "index.html").read_text(encoding="utf-8")
    article = html[html.index("<article") : html.index("</article>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", article)).split())


def test_privacy_page_quotes_the_durations_of_the_code(site: Path) -> None:
    """Each duration the privacy page quotes is the configuration's default or the constant
    the job applies (docs_site/hooks/privacy.py prints them; none is written by hand)."""
    from backend.accounts.emailed import KEPT_AFTER_EXPIRY
    from backend.announcements.jobs import FORGET_AFTER
    from backend.config import Config
    from backend.push.devices import STALE_AFTER
    from backend.push.housekeeping import DELIVERIES_KEPT

    config = Config()
    text = _text(site, "confidentialite")
    for sentence in (
        f"Le lien d'activation vaut {config.account_confirm_hours:g} heures",
        f"celui d'un nouveau mot de passe {config.password_reset_minutes / 60:g} heure,",
        f"celui d'une nouvelle adresse {config.email_change_hours:g} heures",
        f"effacés avec lui {KEPT_AFTER_EXPIRY.days} jours après la fin de sa validité",
        f"le jeton d'accès vaut {config.access_token_ttl // 60} minutes",
        f"le jeton de renouvellement vaut {config.refresh_token_ttl // 86400} jours",
        f"refusée pendant {config.two_factor_lockout_minutes} minutes",
        f"un lien d'invitation vaut {config.invitation_hours / 24:g} jours",
        f"après {STALE_AFTER.days} jours sans se présenter",
        f"effacée {DELIVERIES_KEPT.days} jours après l'envoi",
        f"effacée {FORGET_AFTER.days} jours plus tard",
        f"{config.registration_confirm_hours:g} heures pour confirmer l'inscription",
        f"{config.retention_days} jours après la fin de la session",
    ):
        assert sentence in text, sentence
    assert "l'exploitant de cette instance Relais" in text  # mkdocs.yml leaves it to fill in
    assert "à compléter par l'exploitant" in _text(site, "mentions-legales")


def test_no_figure_is_left_unprinted(site: Path) -> None:
    """Pages quoting a setting (links' lifetimes, retention) got it from the build hook."""
    left = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if "{{ relais:" in page.read_text(encoding="utf-8")
    ]
    assert not left, left
    assert "Elles sont effacées 90 jours après la session" in _text(site, "formations/session")
    assert "au bout de 30 jours" in _text(site, "lettre-d-information")
