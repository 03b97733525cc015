"""A loopback server that answers the portal's calls with recorded answers, over real HTTP.

The recordings (tests/portal/recorded/*.json) are typed from the answers documented in
DOMAIN.md and its sources; each test says which answer each call gets, in order.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from backend.portal.endpoints import TOKEN_PATH, PortalEnvironment

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text())
    answer.pop("_source", None)  # where the shape comes from: for readers, not for clients
    return answer


class ReplayPortal:
    """Answers each /cpro/ path with its queued answers, the last one again when they run out."""

    def __init__(self) -> None:
        self.answers: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
        self.builders: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def environment(self) -> PortalEnvironment:
        return PortalEnvironment.local(f"http://127.0.0.1:{self._server.port}")

    def queue(self, path: str, *answers: dict[str, Any]) -> None:
        self.answers[path].extend(answers)

    def answer_with(self, path: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Answer every call to `path` with what `build` makes of its request body."""
        self.builders[path] = build

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [body for called, body in self.requests if called == path]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == TOKEN_PATH:
            token = {"access_token": "replayed", "token_type": "Bearer", "expires_in": 3600}
            return Response(json.dumps(token), mimetype="application/json")(environ, start_response)
        body = request.get_json(silent=True) or {}
        self.requests.append((request.path, body))
        if request.path in self.builders:
            answer = self.builders[request.path](body)
            return Response(json.dumps(answer), mimetype="application/json")(
                environ, start_response
            )
        queued = self.answers.get(request.path)
        if not queued:
            return Response("no recorded answer", status=404)(environ, start_response)
        answer = queued.popleft() if len(queued) > 1 else queued[0]
        return Response(json.dumps(answer), mimetype="application/json")(environ, start_response)

    def __enter__(self) -> ReplayPortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
