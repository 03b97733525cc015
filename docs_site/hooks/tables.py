"""Tables that read on a phone: each cell carries its column's header (data-label).

Under the phone breakpoint, extra.css turns every row of three columns or more into a card
whose cells show their label; done at build time so that it needs no JavaScript and the
page does not reflow once loaded. The explicit roles keep the table's semantics for screen
readers once CSS changes the cells' display (browsers drop them otherwise).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

CARDS_FROM = 3  # two-column tables stay tables on a phone
PLACEHOLDER = re.compile(f"{STX}.*?{ETX}")
ROLES = {
    "table": "table",
    "thead": "rowgroup",
    "tbody": "rowgroup",
    "tr": "row",
    "th": "columnheader",
    "td": "cell",
}


class TableLabels(Treeprocessor):
    """After the inline patterns: the headers' texts are known then."""

    def run(self, root: ET.Element) -> None:
        for table in root.iter("table"):
            labels = [_text(th) for th in table.iterfind("thead/tr/th")]
            if len(labels) < CARDS_FROM:
                continue
            table.set("data-cartes", "")
            for element in table.iter():
                if element.tag in ROLES:
                    element.set("role", ROLES[element.tag])
            for row in table.iterfind("tbody/tr"):
                for cell, label in zip(row.iterfind("td"), labels, strict=False):
                    cell.set("data-label", label)


def _text(element: ET.Element) -> str:
    return " ".join(PLACEHOLDER.sub("", "".join(element.itertext())).split())


class TableLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(TableLabels(md), "relais_table_labels", 5)


def on_config(config):
    config.markdown_extensions.append(TableLabelsExtension())
    return config
