"""The site's wording rules stay true: one apostrophe, one e-mail, linked sources, no promises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb

SITE = Path(__file__).resolve().parents[2] / "docs_site"
DOCS = SITE / "docs"
# Text a reader sees besides the pages: scripts, build hooks' templates, the theme override.
OTHER_TEXT = [
    *sorted((DOCS / "javascripts").glob("*.js")),
    *sorted((SITE / "hooks").rglob("*.py")),
    *sorted((SITE / "overrides").rglob("*.html")),
]
# The payment page counts real deadlines (due dates, days left); another engineer is rewriting
# it with the payment rule, and it links its sources then.
PAYMENT_PAGE = "reglementation/delais-de-paiement.md"

OFFICIAL = re.compile(
    r"sources? officielles?|documentation officielle|pages officielles"
    r"|(?:à vérifier|vérifiez(?:-les|-le)?) sur (?:les|le)\b",
    re.IGNORECASE,
)
LINK = re.compile(r"\]\(https?://")
# The 7 days are a login pop-up whose acknowledgement becomes mandatory, not a deadline.
SEVEN_DAYS_AS_DEADLINE = re.compile(
    r"délai de (?:7|sept) jours|(?:dans|sous) les (?:7|sept) jours|sous (?:7|sept) jours"
    r"|jours restants",
    re.IGNORECASE,
)


def pages() -> Iterator[Path]:
    """Every Markdown page of the site."""
    return iter(sorted(DOCS.rglob("*.md")))


def prose(path: Path) -> list[str]:
    """The page's body lines outside code fences, without inline code."""
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    lines, fenced = [], False
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        lines.append("" if fenced else re.sub(r"`[^`]*`", "", line))
    return lines


def paragraphs(path: Path) -> list[str]:
    """Blocks between blank lines; a block ending with a colon runs on into the next one."""
    blocks = [b.strip() for b in "\n".join(prose(path)).split("\n\n") if b.strip()]
    joined: list[str] = []
    for block in blocks:
        if joined and joined[-1].rstrip().endswith(":"):
            joined[-1] += "\n" + block
        else:
            joined.append(block)
    return joined


def offenders(pattern: re.Pattern[str], skip: frozenset[str] = frozenset()) -> list[str]:
    """Pages (prose) and other reader-facing files where the pattern occurs."""
    found = [
        f"{p.relative_to(DOCS)}: {m.group(0)}"
        for p in pages()
        if str(p.relative_to(DOCS)) not in skip
        for m in pattern.finditer("\n".join(prose(p)))
    ]
    found += [
        f"{p.relative_to(SITE)}: {m.group(0)}"
        for p in OTHER_TEXT
        for m in pattern.finditer(p.read_text(encoding="utf-8"))
    ]
    return found


def test_one_apostrophe_the_straight_one() -> None:
    assert not offenders(re.compile("\u2019")), "apostrophe courbe : le site emploie « ' »"


def test_one_spelling_of_e_mail() -> None:
    other = re.compile(r"\bcourriels?\b|adresses? électroniques?", re.IGNORECASE)
    assert not offenders(other), "le site écrit « e-mail »"


def test_no_feature_is_announced_as_coming() -> None:
    assert not offenders(re.compile(r"\bsera proposé\b", re.IGNORECASE))


def test_the_seven_days_are_not_called_a_deadline() -> None:
    assert not offenders(SEVEN_DAYS_AS_DEADLINE, skip=frozenset({PAYMENT_PAGE}))


def test_every_call_to_check_official_sources_links_them() -> None:
    unsourced = [
        f"{page.relative_to(DOCS)}: {block[:90]}…"
        for page in pages()
        if str(page.relative_to(DOCS)) != PAYMENT_PAGE
        for block in paragraphs(page)
        if OFFICIAL.search(block) and not LINK.search(block)
    ]
    assert not unsourced, "\n".join(unsourced)


def test_the_rules_catch_what_they_are_for(tmp_path: Path) -> None:
    """Each rule fires on the wording it forbids, so a silent pass means a clean site."""
    page = tmp_path / "page.md"
    page.write_text(
        "---\ntitle: x\n---\n\nÀ vérifier sur les sources officielles.\n\n"
        "Un courriel sous 7 jours, l’été.\n",
        encoding="utf-8",
    )
    text = "\n".join(prose(page))
    assert OFFICIAL.search(paragraphs(page)[0]) and not LINK.search(paragraphs(page)[0])
    assert SEVEN_DAYS_AS_DEADLINE.search(text)
    assert "\u2019" in text and re.search(r"\bcourriel\b", text)
