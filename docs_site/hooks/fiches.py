"""Practical sheets: a PDF download link on each sheet, and the PDFs rendered after the build.

A PDF leaves the site: every link in it is the page's public address (`site_url`, which
PUBLIC_BASE_URL sets, see public_url.py), never the build folder's file:// path.

RELAIS_SITE_PDF=1 requires the PDFs (the build fails if Chromium is missing),
RELAIS_SITE_PDF=0 skips them, and when it is unset they are made if Chromium is found.
RELAIS_CHROMIUM may name the browser binary.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.fiches")

SECTION = "fiches/"
PDF_DIR = "fiches/pdf"
MAX_PAGES = 2
# The heading a sheet's second page starts with (print.css breaks the page before it).
PAGE_TWO = "fiche-page-2"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LINK = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')
HEAD = re.compile(r"<head\b[^>]*>")
_slugs: list[str] = []
_printed: dict[str, str] = {}


def on_files(files, config):
    """Remember which pages are sheets (every page of fiches/ except its index)."""
    _slugs.clear()
    _printed.clear()
    for file in files.documentation_pages():
        uri = file.src_uri
        if uri.startswith(SECTION) and uri.count("/") == 1 and not uri.endswith("index.md"):
            _slugs.append(uri[len(SECTION) : -len(".md")])
    return files


def on_page_markdown(markdown, page, config, files):
    """Put the PDF download link under the sheet's title."""
    slug = _sheet_slug(page.file.src_uri)
    if slug is None:
        return markdown
    # page.url is "fiches/<slug>/" with directory URLs, "fiches/<slug>.html" without.
    here = posixpath.dirname(page.url) if page.url.endswith(".html") else page.url
    href = posixpath.relpath(f"{PDF_DIR}/{slug}.pdf", here or ".")
    link = (
        f'<p class="fiche-pdf"><a class="md-button" href="{href}" download>'
        "Télécharger la fiche en PDF</a> <span>format A4, deux pages</span></p>"
    )
    # Printed only (print.css): a reader of the paper sheet needs its address.
    source = (
        f'<p class="fiche-source" data-search-exclude>Fiche pratique de Relais, site communautaire '
        f"(le portail et ses pages officielles font foi). Version à jour\u00a0: "
        f'<a href="{page.canonical_url}">{page.canonical_url}</a></p>'
    )
    title, _, rest = markdown.partition("\n")
    if title.startswith("# "):
        return f"{title}\n\n{link}\n{rest}\n\n{source}\n"
    return f"{link}\n\n{markdown}\n\n{source}\n"


def on_post_page(output, page, config):
    """Keep the sheet's HTML for print, its links made absolute public addresses."""
    slug = _sheet_slug(page.file.src_uri)
    if slug is not None:
        if not page.canonical_url:
            raise PluginError("Les liens des fiches en PDF exigent « site_url » dans mkdocs.yml.")
        if output.count(f'class="{PAGE_TWO}"') != 1:
            raise PluginError(
                f"La fiche « {slug} » doit marquer le titre qui ouvre sa deuxième page, "
                f"et lui seul : ajoutez {{ .{PAGE_TWO} }} à la fin de ce titre."
            )
        _printed[slug] = public_links(output, page.canonical_url)
    return output


def public_links(html: str, page_url: str) -> str:
    """Every `<a href>` of the page resolved against its public address."""
    return LINK.sub(lambda m: m[1] + urljoin(page_url, m[2]) + m[3], html)


def on_post_build(config):
    """Render each built sheet to fiches/pdf/<slug>.pdf and check it fits on two pages."""
    mode = os.environ.get("RELAIS_SITE_PDF", "").strip()
    if mode == "0":
        log.info("PDF des fiches non générés (RELAIS_SITE_PDF=0).")
        return
    browser = _find_browser()
    if browser is None:
        if mode == "1":
            raise PluginError(
                "RELAIS_SITE_PDF=1 exige Chromium pour produire les PDF des fiches, "
                "mais aucun navigateur n'a été trouvé : installez le paquet Debian "
                "« chromium » ou indiquez son chemin dans RELAIS_CHROMIUM."
            )
        log.info("Chromium introuvable : PDF des fiches non générés.")
        return
    site = Path(config["site_dir"])
    out_dir = site / PDF_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = [pool.submit(_render, browser, site, out_dir, slug) for slug in _slugs]
        for job in jobs:
            job.result()
    log.info("PDF des fiches générés : %d dans %s", len(_slugs), out_dir)


def _sheet_slug(src_uri: str) -> str | None:
    if not src_uri.startswith(SECTION) or src_uri.endswith("index.md"):
        return None
    slug = src_uri[len(SECTION) : -len(".md")]
    return slug if "/" not in slug else None


def _find_browser() -> str | None:
    named = os.environ.get("RELAIS_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _render(browser: str, site: Path, out_dir: Path, slug: str) -> None:
    page = site / "fiches" / slug / "index.html"
    if not page.is_file():
        page = site / "fiches" / f"{slug}.html"
    target = out_dir / f"{slug}.pdf"
    with tempfile.TemporaryDirectory(prefix="relais-chromium-") as profile:
        # The print copy lives outside the site; <base> finds the page's styles and images.
        source = Path(profile) / "fiche.html"
        base = f'<base href="{page.parent.resolve().as_uri()}/">'
        source.write_text(HEAD.sub(lambda m: m[0] + base, _printed[slug], count=1), "utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--allow-file-access-from-files",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=90, check=True)
        except (subprocess.SubprocessError, OSError) as err:
            raise PluginError(f"Échec du rendu PDF de la fiche « {slug} » : {err}") from err
    if not target.is_file():
        raise PluginError(f"Chromium n'a pas produit le PDF de la fiche « {slug} ».")
    pages = count_pdf_pages(target.read_bytes())
    if pages > MAX_PAGES:
        raise PluginError(
            f"La fiche « {slug} » tient sur {pages} pages A4 au lieu de {MAX_PAGES} : "
            "raccourcissez-la."
        )


def count_pdf_pages(data: bytes) -> int:
    """Count page objects; Chromium writes uncompressed /Type /Page dictionaries."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
