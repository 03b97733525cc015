"""ETags of the API: answered before the view runs when they are known, compared weakly,
and kept valid when an answer is compressed (Flask-Compress turns `"tag"` into `"tag:gzip"`).
`backend.api.Blueprint` carries them."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

import flask_smorest
from flask import current_app, request
from flask_smorest.etag import _get_etag_ctx
from werkzeug.datastructures import ETags

from backend.responses import Response

F = TypeVar("F", bound=Callable[..., Any])


class NotModified(flask_smorest.exceptions.NotModified):
    """304, carrying the ETag the empty response must repeat."""

    def __init__(self, etag: str) -> None:
        super().__init__()
        self.etag = etag

    def as_response(self) -> Response:
        response = Response(status=304)
        response.set_etag(self.etag)
        return response


def held_tag(sent: ETags, etag: str, encodings: Iterable[str] = ()) -> str | None:
    """The tag of `If-None-Match` that is `etag`'s answer, as the client holds it, or None.

    Compared weakly (RFC 9110): a compressing proxy may send `W/"tag"`. A compressed answer's
    tag gained its algorithm (`"tag:gzip"`, one of `encodings`), and a 304 repeats the tag the
    200 would carry: the one held. Any other suffix still matches, but is never sent back
    (it is the client's text: a NUL, 8 KB). An empty tag (`""`) matches nothing.
    """
    if sent.star_tag:
        return etag
    for tag in sent.as_set(include_weak=True):
        base, _, encoding = (tag or "").partition(":")
        if tag and base == etag:
            return tag if encoding in encodings else etag
    return None


class EtagChecks:
    """flask-smorest's ETag checks for reads, as Relais answers them (see above)."""

    METHODS_CHECKING_NOT_MODIFIED: list[str]

    def hashed_etag(self, etag_of: Callable[..., str]) -> Callable[[F], F]:
        """flask-smorest's `etag`, for answers whose ETag is known before the view runs: a
        hash of what the answer is made of, `etag_of(**view_kwargs)`.

        A client holding it gets its 304 without the view running; otherwise the view's
        response carries it. Documented as `etag` documents it (304, `If-None-Match`, `ETag`),
        without `etag`'s wrapper: its other checks are for writes, and it would serialize
        and hash the tag again. The view gets the tag as `etag=`.
        """

        def decorator(func: F) -> F:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Response:
                etag = etag_of(**kwargs)
                try:
                    self._check_not_modified(etag)
                except NotModified as unchanged:
                    # Answered here rather than through Flask's error handlers: a sixth of a 304.
                    return unchanged.as_response()
                response: Response = func(*args, etag=etag, **kwargs)
                response.set_etag(etag)
                return response

            wrapper._apidoc = copy.deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
            wrapper._apidoc["etag"] = True  # type: ignore[attr-defined]
            return wrapper  # type: ignore[return-value]

        return decorator

    def _check_not_modified(self, etag: str) -> None:
        """flask-smorest's check (every ETag'd read goes through it), with `held_tag`."""
        if request.method not in self.METHODS_CHECKING_NOT_MODIFIED:
            return
        encodings = current_app.config.get("COMPRESS_ALGORITHM", ())
        held = held_tag(request.if_none_match, etag, encodings)
        if held is not None:
            # Kept for the response, as set_etag does after this check: a view that catches
            # NotModified may answer the 304 itself (see EtagChecks.hashed_etag).
            _get_etag_ctx()["etag"] = etag
            raise NotModified(held)
