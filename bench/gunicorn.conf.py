"""gunicorn settings, as in production (see the README's benchmark table for the choice)."""

import multiprocessing
import os
import traceback

from gunicorn import glogging

from backend.logsafe import loggable_path

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Two workers per core, two threads each (README, Benchmarks). Threads overlap the waits on
# PostgreSQL, but every thread of a worker shares one GIL: with 4 threads per worker the
# slowest answers under load waited 4.5 times the median (p99 ≈ 23 ms for p50 ≈ 5 ms on
# /healthz), with 8, threads fought for the GIL and computed reads lost half their
# throughput. 4 × 2 keeps the p99 within 2.0–3.4 times the median, as gunicorn's own advice
# of about two workers per core suggests.
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gthread")
threads = int(os.environ.get("WEB_THREADS", "2"))
# Kept-alive connections stay with the worker that accepted them, and gunicorn does not
# spread them: 14 of 16 landed on one of two workers in a benchmark, leaving a core idle.
# Capping each worker near twice its threads makes the crowded worker close idle
# connections (Connection: close), whose clients reconnect to whichever worker has room.
# Two spare places: a worker at its cap stops accepting until its next loop (up to 1 s),
# so a reconnecting client must always find another with room (a 1.7 s p99 without them).
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", 2 * threads + 2))
keepalive = 5
timeout = 30
graceful_timeout = 20
# Recycling a worker costs a second of CPU (a fresh import) and empties its caches: a burst
# of slow answers (both workers restarted in the middle of a benchmark phase at 100,000, and
# its p99 went from 26 ms to 651 ms). At 750 requests/s per worker this is one recycle in
# twenty minutes; memory stays bounded anyway (the response cache has a size).
max_requests = 1_000_000
max_requests_jitter = 100_000
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
# The path without its query string: e-mailed links carry 400-day tokens there (`?jeton=`).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'


class AccessLogger(glogging.Logger):
    """gunicorn's logger, with access-log atoms that hold no secret whatever the format, and
    a cheap line: only the atoms the format names, written straight to gunicorn's own file
    or stream (a line went through the `logging` module for 25–40 µs, 5 % of a `/healthz`)."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        """Runs at start-up and on each configuration reload (SIGHUP)."""
        super().setup(cfg)
        self.used = [key for key in ATOMS if f"%({key})" in cfg.access_log_format]
        handlers = self.access_log.handlers
        # With syslog or a logging configuration, lines go through `logging` as before.
        direct = len(handlers) == 1 and getattr(handlers[0], "_gunicorn", False)
        self.direct = handlers[0] if direct and not cfg.syslog else None

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        """The one-letter atoms the format uses, without query strings or link tokens.

        gunicorn's own adds every request header (Authorization, X-API-Key) and the whole
        environ (the raw URI with its query) as atoms; others are `-`.
        """
        return Atoms((key, ATOMS[key](self, resp, environ, request_time)) for key in self.used)

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if not self.access_log_enabled:
            return
        try:
            line = self.cfg.access_log_format % self.atoms(resp, req, environ, request_time)
            handler = self.direct
            if handler is None:
                self.access_log.info("%s", line)
                return
            with handler.lock:  # a gthread worker's threads share the stream
                handler.stream.write(line + "\n")
                handler.stream.flush()
        except Exception:
            self.error(traceback.format_exc())


class Atoms(dict):
    """Absent atoms (request headers, environ variables) are `-`; quotes are escaped."""

    def __init__(self, items):  # type: ignore[no-untyped-def]
        super().__init__((k, v.replace('"', '\\"') if isinstance(v, str) else v) for k, v in items)

    def __missing__(self, key):  # type: ignore[no-untyped-def]
        return "-"


def _micros(delta):  # type: ignore[no-untyped-def]
    return delta.seconds * 1_000_000 + delta.microseconds


def _sent(resp):  # type: ignore[no-untyped-def]
    return getattr(resp, "sent", None)


def _path(environ):  # type: ignore[no-untyped-def]
    return loggable_path(environ.get("PATH_INFO", ""))


# Each atom from (logger, response, environ, request time).
ATOMS = {
    "h": lambda log, resp, env, rt: env.get("REMOTE_ADDR", "-"),
    "t": lambda log, resp, env, rt: log.now(),
    "r": lambda log, resp, env, rt: (
        f"{env['REQUEST_METHOD']} {_path(env)} {env['SERVER_PROTOCOL']}"
    ),
    "m": lambda log, resp, env, rt: env["REQUEST_METHOD"],
    "U": lambda log, resp, env, rt: _path(env),
    "H": lambda log, resp, env, rt: env["SERVER_PROTOCOL"],
    "s": lambda log, resp, env, rt: str(resp.status).split(None, 1)[0],
    "b": lambda log, resp, env, rt: "-" if _sent(resp) is None else str(_sent(resp)),
    "B": lambda log, resp, env, rt: _sent(resp),
    # The referrer of a page opened from an e-mail is that page's URL, token included.
    "f": lambda log, resp, env, rt: env.get("HTTP_REFERER", "-").split("?", 1)[0],
    "a": lambda log, resp, env, rt: env.get("HTTP_USER_AGENT", "-"),
    "T": lambda log, resp, env, rt: rt.seconds,
    "D": lambda log, resp, env, rt: _micros(rt),
    "M": lambda log, resp, env, rt: _micros(rt) // 1000,
    "L": lambda log, resp, env, rt: f"{rt.seconds}.{rt.microseconds:06d}",
    "p": lambda log, resp, env, rt: f"<{os.getpid()}>",
}


logger_class = AccessLogger


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Keep the objects of start-up (modules, mappers, schemas) out of the garbage collector.

    They live as long as the worker; without this, each full collection walks them all and
    shows as a pause in the p99 under load. Fewer young collections too: a request makes
    thousands of short-lived objects.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
