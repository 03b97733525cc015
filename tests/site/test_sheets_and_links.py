"""Relais on a port other than 8000, built and served as `make run` does: the links it e-mails
and the links inside the practical sheets' PDFs reach it; each sheet fills its two A4 pages.

The site is built twice, like a running instance: once with the sheets' PDFs (Chromium), then
by the rebuild job after a data change, which skips Chromium and keeps the PDFs.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from backend import create_app
from backend.config import Config
from backend.migrate import upgrade
from backend.site.build import build_site
from tests.mail.smtp import free_port, text_part
from tests.site.sheets import SHEETS

pytestmark = pytest.mark.nodb

if shutil.which("chromium") is None:
    pytest.skip("Chromium absent : PDF des fiches non générés", allow_module_level=True)

# The printable height of an A4 page under print.css's margins (14 mm top, 16 mm bottom).
TOP, BOTTOM = 14 / 25.4 * 72, 16 / 25.4 * 72
HEADING = re.compile(r"<(h[1-4]|dt|p class=\"admonition-title\")[^>]*>(.*?)</\1", re.S)


@dataclass
class Served:
    base: str
    site: Path
    outbox: Path

    def pdf(self, slug: str) -> PdfReader:
        return PdfReader(self.site / "fiches" / "pdf" / f"{slug}.pdf")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("port")
    port = free_port()
    database = f"sqlite:///{folder / 'relais.db'}"
    upgrade(database)
    environ = {
        "RELAIS_INSTANCE": str(folder / "instance"),
        "DATABASE_URL": database,
        "SITE_DIR": str(folder / "site"),
        "PORT": str(port),  # and no PUBLIC_BASE_URL: it must follow the port
        "SIGNUP_MIN_SECONDS": "0",
    }
    config = Config.from_env(environ)
    with pytest.MonkeyPatch.context() as env:
        env.delenv("PUBLIC_BASE_URL", raising=False)
        env.setenv("RELAIS_SITE_PDF", "1")
        assert build_site(config), "the first build (with the PDFs) failed"
        env.setenv("RELAIS_SITE_PDF", "0")
        assert build_site(config), "the rebuild after a data change failed"
    server = make_server("127.0.0.1", port, create_app(config), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{port}", Path(config.site_dir), folder / "instance" / "outbox")
    server.shutdown()
    thread.join(timeout=5)


def test_an_emailed_link_reaches_relais_on_its_port(served: Served) -> None:
    token = httpx.get(f"{served.base}/api/v1/forms/token", timeout=10).json()["form_token"]
    signup = {"email": "lea@exemple.fr", "consent": True, "form_token": token}
    answer = httpx.post(f"{served.base}/api/v1/newsletter/subscriptions", json=signup, timeout=10)
    assert answer.status_code == 202, answer.text
    body = text_part(_last_mail(served.outbox))
    link = re.search(r"https?://\S+/lettre-d-information/confirmer/\?jeton=(\S+)", body)
    assert link, body
    assert link.group(0).startswith(served.base + "/")
    page = httpx.get(link.group(0), timeout=10)
    assert page.status_code == 200 and "Confirmer mon abonnement" in page.text
    confirm = {"token": link.group(1)}
    answer = httpx.post(f"{served.base}/api/v1/newsletter/confirm", json=confirm, timeout=10)
    assert answer.status_code == 200, answer.text


def _last_mail(outbox: Path) -> EmailMessage:
    files = sorted(outbox.glob("*.eml"))
    assert files, "no e-mail written to the outbox"
    message = email.message_from_bytes(files[-1].read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def test_sheet_pdfs_survive_a_rebuild_and_link_the_public_site(served: Served) -> None:
    reached: set[str] = set()
    for slug in SHEETS:
        links = _links(served.pdf(slug))
        assert not [u for u in links if u.startswith("file:")], f"{slug}: {links}"
        ours = [u for u in links if u.startswith(served.base + "/")]
        others = [u for u in links if u not in ours]
        assert all(re.match(r"https://[a-z.-]+\.gouv\.fr/", u) for u in others), others
        assert f"{served.base}/fiches/{slug}/" in ours, f"{slug}: no link to its online version"
        reached.update(u.split("#")[0] for u in ours)
    for url in sorted(reached):
        assert httpx.get(url, timeout=10).status_code == 200, url


def _links(pdf: PdfReader) -> list[str]:
    found = []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found


@pytest.mark.parametrize("slug", SHEETS)
def test_each_sheet_fills_its_two_pages(served: Served, slug: str) -> None:
    pages = [_lines(page) for page in served.pdf(slug).pages]
    assert len(pages) == 2, f"{slug}: {len(pages)} pages"
    chars = [sum(len(text) for _, text in lines) for lines in pages]
    assert chars[1] >= 0.25 * sum(chars), f"{slug}: page 2 holds {chars[1]} of {sum(chars)}"
    html = (served.site / "fiches" / slug / "index.html").read_text("utf-8")
    headings = {_plain(m.group(2)) for m in HEADING.finditer(html)}
    height = float(served.pdf(slug).pages[0].mediabox.height)
    for number, lines in enumerate(pages, start=1):
        lowest, last = min(lines)
        filled = (height - TOP - lowest) / (height - TOP - BOTTOM)
        assert filled >= 0.6, f"{slug}: page {number} filled to {filled:.0%} only"
        assert last not in headings, f"{slug}: page {number} ends with the heading « {last} »"


def _lines(page: object) -> list[tuple[float, str]]:
    """The page's text lines as (height from the bottom, text), whatever order they are drawn."""
    parts: dict[float, list[tuple[float, str]]] = {}

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            parts.setdefault(round(y, 0), []).append((x, text.strip()))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return [(y, " ".join(t for _, t in sorted(row))) for y, row in parts.items()]


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>|&para;", "", html)).strip()


# Pages filled from a link's ?id= or ?jeton=: nothing to find in them.
TEMPLATES = (
    "formations/session/",
    "formations/inscription/",
    "lettre-d-information/confirmer/",
    "lettre-d-information/desinscription/",
    "espace-formateurs/participants/",
    "espace-formateurs/session/",
)


def test_search_index_keeps_templates_out_and_folds_accents(served: Served) -> None:
    index = json.loads((served.site / "search" / "search_index.json").read_text("utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert not [loc for loc in locations if loc.startswith(TEMPLATES)]
    boosts = {doc["location"].split("#")[0]: doc.get("boost", 1) for doc in index["docs"]}
    assert boosts["statuts/"] > 1 and boosts["reglementation/delais-de-paiement/"] > 1
    assert boosts["tutoriels/modifier-son-siret/"] == 1
    assert re.search(index["config"]["separator"], "d'œuvre")  # elisions split words
    worker_language = served.site / "assets/javascripts/lunr/min/lunr.fr.min.js"
    assert worker_language.read_text("utf-8").count("Appended by search_fr.py") == 1
