"""French search: word families, so « recycler » also finds « recyclage », and accents folded.

Material's search matches words by prefix and, by default, does not stem. After the build,
this hook adds to each search entry a `forms` field listing the other forms, seen anywhere on
the site, of the words it contains (same French Snowball stem). Needs `snowballstemmer`; without
it, the index is left as Material wrote it.

Accents: Material's search runs in a worker that loads lunr's French language file; the hook
appends search_fr.js to the built copy of that file, which folds accents in the index and in
the query (Material offers no setting for it: its pipeline option only removes functions).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.search_fr")

WORD = re.compile(r"[a-zà-öø-ÿœæ]{4,}", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
FORMS_BOOST = 0.5
FOLD_SCRIPT = Path(__file__).with_name("search_fr.js")
FOLD_MARKER = "Appended by search_fr.py"  # the script's first words
LANGUAGE_FILE = "assets/javascripts/lunr/min/lunr.fr.min.js"


def on_post_build(config):
    _add_word_families(config)
    _fold_accents(config)


def _fold_accents(config) -> None:
    """Append the folding script to the worker's French file (once: serve rebuilds in place)."""
    target = Path(config["site_dir"]) / LANGUAGE_FILE
    if not target.is_file():
        log.warning("Recherche : %s absent, accents non neutralisés.", LANGUAGE_FILE)
        return
    text = target.read_text(encoding="utf-8")
    if FOLD_MARKER not in text:
        script = FOLD_SCRIPT.read_text(encoding="utf-8")
        target.write_text(f"{text.rstrip()}\n{script}", encoding="utf-8")


def _add_word_families(config) -> None:
    try:
        import snowballstemmer
    except ImportError:
        log.info("snowballstemmer absent : familles de mots non ajoutées à la recherche.")
        return
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    stem = _family_key(snowballstemmer.stemmer("french"))
    words_by_doc = [_words(doc) for doc in index["docs"]]
    families: dict[str, set[str]] = defaultdict(set)
    for words in words_by_doc:
        for word in words:
            families[stem(word)].add(word)
    added = 0
    for doc, words in zip(index["docs"], words_by_doc, strict=True):
        forms = set().union(*(families[stem(w)] for w in words)) - words if words else set()
        if forms:
            doc["forms"] = " ".join(sorted(forms))
            added += 1
    index["config"].setdefault("fields", {})["forms"] = {"boost": FORMS_BOOST}
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), "utf-8")
    log.info("Recherche : familles de mots ajoutées à %d entrées.", added)


def _words(doc: dict) -> set[str]:
    text = TAG.sub(" ", f"{doc.get('title', '')} {doc.get('text', '')}")
    return {w.lower() for w in WORD.findall(text)}


def _family_key(stemmer):
    """Snowball stem, with nouns in -age joined to their verb (recyclage → recycl)."""

    def key(word: str) -> str:
        root = stemmer.stemWord(word)
        return root[:-2] if root.endswith("ag") and len(root) > 5 else root

    return key
