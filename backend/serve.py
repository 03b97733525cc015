"""The web server, as `make run` and production start it: `python -m backend.serve`.

granian serves the WSGI application (`backend.wsgi:app`). It was chosen by measurement against
gunicorn's sync and gthread workers (bench/README.md, "Servers"): on 2 cores, 1.3–1.6 times the
requests per second with 160–230 µs less CPU per request, a lower p99 alone and beside a second
load, two workers of 167 MiB where gunicorn ran four of 222, a 0.12 s exit on SIGTERM, and
SIGHUP replacing every worker (one at a time) without a failed request.

Settings, from the environment (README, Configuration):
- `HOST`, `PORT`: where to listen (127.0.0.1:8000);
- `WEB_WORKERS`: processes, one per core by default; `WEB_THREADS`: threads each (1). granian's
  own threads read and write the connections (keep-alive, slow clients), so one thread per
  worker only runs the application. A second thread shares the worker's GIL: on 2 cores it
  doubled a computed page's CPU and spread the tail latency (bench/README.md, "One
  application thread per worker"); more threads help only when requests wait long on
  something that releases the GIL;
- `WEB_ACCESS_LOG`: `-` (standard output, the default), a file, or empty for none;
  `WEB_ACCESS_LOG_FORMAT`: granian's atoms (`%(addr)s`, `%(method)s`, `%(path)s`,
  `%(protocol)s`, `%(status)d`, `%(dt_ms).0f`, `%(header{name})s`…). Whatever the format, a
  line holds no secret (`SafeAccessLine`).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any

from backend.logsafe import loggable_path

APP = "backend.wsgi:app"
# The path without its query string: e-mailed links carry 400-day tokens there (`?jeton=`).
ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).0fms'
# granian's own pattern for header atoms: `%(header{referer})s` becomes `%(_h0)s`, in order.
HEADER_ATOM = re.compile(r"%\(header\{([^}]+)\}\)s")
# Headers a line may show; any other (Authorization, Cookie, X-API-Key…) reads `-`.
SHOWN_HEADERS = {"user-agent", "referer", "accept-language", "x-forwarded-for", "x-request-id"}
# A request in progress when the server stops gets this long to finish.
STOP_SECONDS = 20


class SafeAccessLine(logging.Filter):
    """An access line without secrets, whatever its format: the path with any link token cut
    out (the one-click unsubscribe URL), no query string, the referrer without its query (a
    page opened from an e-mail), and only the headers of `SHOWN_HEADERS`."""

    def __init__(self, fmt: str = ACCESS_LOG_FORMAT) -> None:
        super().__init__()
        self.headers = [name.strip().lower() for name in HEADER_ATOM.findall(fmt)]

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if not isinstance(atoms, dict):
            return True
        safe = dict(atoms)
        safe["path"] = loggable_path(str(safe.get("path", "")))
        safe["query_string"] = "-"
        for index, name in enumerate(self.headers):
            key = f"_h{index}"
            value = str(safe.get(key, "-"))
            if name not in SHOWN_HEADERS:
                safe[key] = "-"
            elif name == "referer":
                safe[key] = value.split("?", 1)[0]
        record.args = safe
        return True


def logging_config(access_log: str, fmt: str) -> dict[str, Any]:
    """granian's logging set-up, the access lines going through `SafeAccessLine`."""
    if access_log == "-":
        access_handler: dict[str, Any] = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
        }
    else:
        access_handler = {"class": "logging.FileHandler", "filename": access_log}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "generic": {"format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"},
            "access": {"format": "%(message)s"},
        },
        "filters": {"safe": {"()": "backend.serve.SafeAccessLine", "fmt": fmt}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "generic",
                "stream": "ext://sys.stderr",
            },
            "access": access_handler | {"formatter": "access", "filters": ["safe"]},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def settings() -> dict[str, Any]:
    """What the environment asks of the server (README, Configuration)."""
    return {
        "address": os.environ.get("HOST", "127.0.0.1"),
        "port": int(os.environ.get("PORT", "8000")),
        "workers": int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 1),
        "threads": int(os.environ.get("WEB_THREADS") or 1),
        "access_log": os.environ.get("WEB_ACCESS_LOG", "-"),
        "access_log_format": os.environ.get("WEB_ACCESS_LOG_FORMAT") or ACCESS_LOG_FORMAT,
    }


def server(target: str = APP) -> Any:
    """The server the environment describes, ready to `serve()` (making it sets up logging)."""
    from granian import Granian
    from granian.constants import Interfaces

    wanted = settings()
    access_log, fmt = wanted["access_log"], wanted["access_log_format"]
    return Granian(
        target,
        address=wanted["address"],
        port=wanted["port"],
        interface=Interfaces.WSGI,
        workers=wanted["workers"],
        blocking_threads=wanted["threads"],
        websockets=False,
        log_dictconfig=logging_config(access_log or "-", fmt),
        log_access=bool(access_log),
        log_access_format=fmt,
        # granian leaves a crashed worker dead by default.
        respawn_failed_workers=True,
        workers_kill_timeout=STOP_SECONDS,
    )


def main(argv: list[str] | None = None) -> None:
    """`python -m backend.serve [module:app]` (the benchmark serves its bare app this way)."""
    args = sys.argv[1:] if argv is None else argv
    server(args[0] if args else APP).serve()


if __name__ == "__main__":
    main()
