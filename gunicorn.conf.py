"""gunicorn settings, as in production (see the README's benchmark table for the choice)."""

import multiprocessing
import os

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
    """gunicorn's logger, with access-log atoms that hold no secret whatever the format."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        """Only the one-letter atoms, without query strings or link tokens in paths.

        gunicorn's own adds every request header (Authorization, X-API-Key) and the whole
        environ (the raw URI with its query) as atoms; building them cost time on each
        request too.
        """
        method, protocol = environ["REQUEST_METHOD"], environ["SERVER_PROTOCOL"]
        path = loggable_path(environ.get("PATH_INFO", ""))
        sent = getattr(resp, "sent", None)
        micros = request_time.seconds * 1_000_000 + request_time.microseconds
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "t": self.now(),
            "r": f"{method} {path} {protocol}",
            "m": method,
            "U": path,
            "H": protocol,
            "s": str(resp.status).split(None, 1)[0],
            "b": str(sent) if sent is not None else "-",
            "B": sent,
            # The referrer of a page opened from an e-mail is that page's URL, token included.
            "f": environ.get("HTTP_REFERER", "-").split("?", 1)[0],
            "a": environ.get("HTTP_USER_AGENT", "-"),
            "T": request_time.seconds,
            "D": micros,
            "M": micros // 1000,
            "L": f"{request_time.seconds}.{request_time.microseconds:06d}",
            "p": f"<{os.getpid()}>",
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
