"""The application's response class (`RelaisFlask.response_class`): the one every view and
hook of Relais builds its answers with."""

from __future__ import annotations

from typing import Any

import flask


class Response(flask.Response):
    """Flask's response, handing a body held in memory to the server as one piece.

    werkzeug wraps every body in an iterator that closes the response after it. granian sends
    a list's bytes at once, but drives any other iterable chunk by chunk from its own threads,
    calling back into Python: under load, 15 to 30 µs of a worker's CPU for a cached page of
    invoices (about 490 in all; bench/README, issue 20). A body that is a list or a tuple, with
    nothing to run on close, has nothing to close either: it is given as a list. Streamed
    answers and files are unchanged.
    """

    def get_app_iter(self, environ: dict[str, Any]) -> Any:
        iterable = super().get_app_iter(environ)
        if self.is_sequence and not self._on_close:
            return list(iterable)
        return iterable
