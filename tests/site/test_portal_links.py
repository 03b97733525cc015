"""Every sentence that sends readers to the official portal links it, and so does every page's
footer."""

from __future__ import annotations

import re

import pytest

from tests.site.test_content import DOCS, SITE, pages, paragraphs

pytestmark = pytest.mark.nodb

PORTAL = "https://chorus-pro.gouv.fr"
SENDS_TO_THE_PORTAL = re.compile(
    r"page d'accueil du portail|portail officiel|rendez-vous sur le portail", re.IGNORECASE
)


def test_sentences_sending_readers_to_the_portal_link_it() -> None:
    unlinked = [
        f"{page.relative_to(DOCS)}: {block[:90]}…"
        for page in pages()
        for block in paragraphs(page)
        if SENDS_TO_THE_PORTAL.search(block.replace("\u00a0", " ")) and f"]({PORTAL}" not in block
    ]
    assert not unlinked, "\n".join(unlinked)


def test_the_home_page_and_the_footer_link_the_portal() -> None:
    assert f"]({PORTAL})" in (DOCS / "index.md").read_text(encoding="utf-8")
    footer = (SITE / "overrides" / "partials" / "copyright.html").read_text(encoding="utf-8")
    assert f'href="{PORTAL}"' in footer
