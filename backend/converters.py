"""An id path segment that never falls through to another route."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import BaseConverter

from backend.api import Blueprint
from backend.extensions import api

BIGINT = 2**63


class IdConverter(BaseConverter):
    """Any segment; a non-integer or out-of-range one becomes 0, which no row has: a 404.

    With `<int:…>` such a URL matches no API rule and reaches the site's catch-all,
    which answers 405 to a POST instead of the 404 the API documents.
    """

    regex = r"[^/]+"

    def to_python(self, value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            return 0
        return number if -BIGINT <= number < BIGINT else 0

    def to_url(self, value: Any) -> str:
        return str(value)


def use_ids(blp: Blueprint) -> None:
    """Make `<id:name>` available to this blueprint's routes, documented as an integer."""
    blp.record_once(lambda state: state.app.url_map.converters.setdefault("id", IdConverter))
    api.register_converter(IdConverter, lambda _converter: {"type": "integer"})
