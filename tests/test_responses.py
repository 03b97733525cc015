"""The application's response class hands a body in memory to the server as one list, and
leaves streamed answers, and answers with work to do on close, to werkzeug's iterator."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from flask import Flask
from werkzeug.test import EnvironBuilder

from backend.responses import Response


def _call(app: Any, path: str, method: str = "GET") -> tuple[Iterable[bytes], list[str]]:
    statuses: list[str] = []
    environ = EnvironBuilder(path=path, method=method).get_environ()
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    return body, statuses


def test_answers_in_memory_reach_the_server_as_one_list(app: Flask) -> None:
    assert app.response_class is Response
    for path, status in (("/healthz", "200 OK"), ("/api/v1/nothing-here", "404 NOT FOUND")):
        body, statuses = _call(app, path)
        assert statuses == [status]
        assert isinstance(body, list) and len(body) == 1, path
        assert body[0].startswith(b"{")
    head, statuses = _call(app, "/healthz", method="HEAD")
    assert head == [] and statuses == ["200 OK"]


def test_streams_and_closing_work_keep_werkzeug_iterator(app: Flask) -> None:
    closed: list[str] = []

    def chunks() -> Iterator[bytes]:
        yield b"a"
        yield b"b"

    streamed = Response(chunks())
    with_close = Response(b"body")
    with_close.call_on_close(lambda: closed.append("done"))
    environ = EnvironBuilder(path="/").get_environ()
    for response, expected in ((streamed, b"ab"), (with_close, b"body")):  # as a server does:
        body = response(environ, cast(Any, lambda *args: None))
        assert not isinstance(body, list)
        assert b"".join(body) == expected
        body.close()  # type: ignore[attr-defined]
    assert closed == ["done"]
