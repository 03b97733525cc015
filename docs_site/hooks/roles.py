"""The roles table of the « Application » section, printed from the code.

`backend/accounts/roles.py` holds what each role may do; every route asks it. A page that
writes `<!-- relais:tableau-des-roles -->` gets that table here, at build time, so the site
cannot say something else than the application does.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.accounts.models import Role  # noqa: E402
from backend.accounts.roles import ROLE_NAMES, TABLE  # noqa: E402

MARKER = "<!-- relais:tableau-des-roles -->"


def table() -> str:
    """The roles table as Markdown: one line per action, « Oui » or « Non » per role."""
    roles = list(Role)
    lines = [
        "| Ce que l'on peut faire | " + " | ".join(ROLE_NAMES[r] for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for row in TABLE:
        cells = ["**Oui**" if role in row.roles else "Non" for role in roles]
        lines.append(f"| {row.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, table())
