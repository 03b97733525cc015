"""Extensions, created unbound and bound to an app in `create_app`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, request
from flask.globals import request_ctx
from flask_compress import Compress
from flask_limiter import Limiter

from backend.api import Api
from backend.db import db
from backend.ratelimits import storage as _storage  # noqa: F401  (registers relais-db://)
from backend.ratelimits.keys import address_key

api = Api()
# No default or application-wide limit: every limit is a decorator on the route it guards.
limiter = Limiter(key_func=address_key, default_limits=[], headers_enabled=True)
compress = Compress()


def init_limiter(app: Flask) -> None:
    """Flask-Limiter, doing its work only on the requests of routes that declare a limit.

    Its before-request hook applies default and application-wide limits, which Relais has
    none of (a decorated route's limits are checked by its decorator, when the view runs), yet
    it resolved every request's limits: 15–18 % of `/healthz`'s CPU under load (issue 20).
    It is removed; the after-request hook (X-RateLimit-* and Retry-After headers) and the
    teardown run only on requests whose limits were checked.
    """
    limiter.init_app(app)
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    after, teardown = app.after_request_funcs[None], app.teardown_request_funcs[None]
    inject = next(h for h in after if getattr(h, "args", ())[:1] == (limiter,))
    after[after.index(inject)] = _headers_when_checked(inject)
    release = next(h for h in teardown if getattr(h, "__self__", None) is limiter)
    teardown[teardown.index(release)] = _release_when_checked(release)


def init_compress(app: Flask) -> None:
    """Flask-Compress, skipping its work on answers it would leave as they are.

    Its after-request hook parses `Accept-Encoding` and reads the answer's headers on every
    answer, a `/healthz` or a 304 too, before finding there is nothing to compress. Answers
    it cannot compress whatever the request (not a 2xx, a part of a file (206: its
    `Content-Range` counts the file's own bytes), a media type it does not compress, already
    encoded, or a known length under `COMPRESS_MIN_SIZE`) only get its
    `Vary: Accept-Encoding`, as Flask-Compress gives them; every other answer goes through it.

    A compressed answer is evaluated against the request's conditions (its ETag gained
    `:gzip`) only when the request has some (`If-None-Match`, `If-Modified-Since`):
    Flask-Compress did it on every compressed answer (werkzeug's `make_conditional`, which
    also formats a `Date` header, one the server sends anyway).
    """
    compress.init_app(app)
    after = app.after_request_funcs[None]
    hook = next(h for h in after if getattr(h, "__self__", None) is compress)
    mimetypes = frozenset(app.config["COMPRESS_MIMETYPES"])
    min_size = app.config["COMPRESS_MIN_SIZE"]
    streams = app.config["COMPRESS_STREAMS"]

    def compress_answer(response: Response) -> Response:
        status, length = response.status_code, response.content_length
        if (
            200 <= status < 300
            and status != 206
            and response.mimetype in mimetypes
            and (length is None or length >= min_size)
            and (streams or not response.is_streamed)
            and "Content-Encoding" not in response.headers
        ):
            response = cast(Response, hook(response))
            environ = request.environ
            if (
                "Content-Encoding" in response.headers
                and ("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
                and request.method in ("GET", "HEAD")
                and not response.is_streamed
            ):
                response.make_conditional(request)
            return response
        vary = response.headers.get("Vary")
        if vary is None:
            response.headers.add("Vary", "Accept-Encoding")  # absent: no second scan to set it
        elif not vary:
            response.headers["Vary"] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding"
        return response

    after[after.index(hook)] = compress_answer


def _checked() -> bool:
    """Whether a limit was checked in this request: Flask-Limiter's check keeps its state on
    the request context."""
    return hasattr(request_ctx, "_limiter_request_context")


def _headers_when_checked(inject: Callable[..., Any]) -> Callable[[Response], Response]:
    def limit_headers(response: Response) -> Response:
        return cast(Response, inject(response)) if _checked() else response

    return limit_headers


def _release_when_checked(release: Callable[..., Any]) -> Callable[..., None]:
    def release_limits(error: BaseException | None = None) -> None:
        if _checked():
            release(error)

    return release_limits


__all__ = ["api", "compress", "db", "init_compress", "init_limiter", "limiter"]
