"""Tables read on a phone: the build hook gives every cell its column's label."""

from __future__ import annotations

import sys
from pathlib import Path

import markdown
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs_site" / "hooks"))
import tables

pytestmark = pytest.mark.nodb

STATUSES = """
| Code | Libellé | Ce que vous devez faire |
|---|---|---|
| `A_RECYCLER` | À recycler | **Corriger** et renvoyer |

| Catégorie | Ce qu'elle regroupe |
|---|---|
| Payée | Le paiement est libéré |
"""


def test_wide_tables_carry_their_headers_in_each_cell() -> None:
    html = markdown.markdown(STATUSES, extensions=["tables", tables.TableLabelsExtension()])
    wide, narrow = html.split("</table>")[:2]
    assert '<table data-cartes="" role="table">' in wide
    assert '<td data-label="Ce que vous devez faire" role="cell"><strong>Corriger' in wide
    assert '<td data-label="Code" role="cell"><code>A_RECYCLER</code>' in wide
    assert "data-label" not in narrow and "data-cartes" not in narrow
