"""A bare Flask application, one route and no extension: the second ceiling of `make bench`.

Served by the same server with the same settings as Relais, it measures what the server and
Flask alone cost; Relais' `/healthz` against it shows what every Relais request pays on top
(extensions, hooks, the access log's atoms)."""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)


@app.get("/ping")
def ping() -> dict[str, str]:
    """The same small JSON answer as `/healthz`."""
    return {"status": "ok"}


# The bare app answering with the headers every Relais JSON answer carries (the security
# headers, a strict policy, `Vary`), added by one hook: what those headers cost under the
# server, apart from everything else Relais does (bench/README, "The headers' price").
headed = Flask(__name__)


@headed.get("/ping")
def headed_ping() -> dict[str, str]:
    return {"status": "ok"}


@headed.after_request
def relais_headers(response: Response) -> Response:
    from backend.security import HEADERS, STRICT

    response.headers.extend(HEADERS)
    response.headers.add("Content-Security-Policy", STRICT)
    response.headers.add("Vary", "Accept-Encoding")
    return response
