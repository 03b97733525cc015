"""A bare Flask application, one route and no extension: the second ceiling of `make bench`.

Served by the same server with the same settings as Relais, it measures what the server and
Flask alone cost; Relais' `/healthz` against it shows what every Relais request pays on top
(extensions, hooks, the access log's atoms)."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping() -> dict[str, str]:
    """The same small JSON answer as `/healthz`."""
    return {"status": "ok"}
