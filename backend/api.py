"""Project subclasses of flask-smorest: problem+json errors and encoding-aware ETags."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, NoReturn

import flask_smorest
from flask import Response, json, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from backend import i18n

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

_STATUS_MESSAGE = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media",
    422: "unprocessable",
    428: "precondition_required",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def flatten_messages(messages: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """Yield (dotted field path, message) from marshmallow's nested error dicts."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten_messages(value, (*path, str(key)))
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from flatten_messages(item, path)
    else:
        yield ".".join(path), str(messages)


def problem(status: int, detail: str | None = None, **extra: Any) -> Response:
    """Build an RFC 9457 problem+json response in the request's language."""
    key = _STATUS_MESSAGE.get(status, "bad_request")
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": i18n.message(key),
        "status": status,
        "detail": detail or i18n.message(key),
        "instance": request.path,
    }
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers["Content-Language"] = i18n.locale()
    return response


def validation_problem(status: int, messages: Any) -> Response:
    """A problem naming each invalid field, where it was sent and why."""
    params = []
    for dotted, text in flatten_messages(messages):
        location, _, name = dotted.partition(".")
        params.append({"name": name or location, "in": location, "reason": i18n.translate(text)})
    if params:
        first = params[0]
        label = "field" if i18n.locale() == "en" else "Champ"
        detail = f"{label} « {first['name']} » : {first['reason']}"
        if i18n.locale() == "en":
            detail = f"{label} '{first['name']}': {first['reason']}"
    else:
        detail = i18n.message("unprocessable")
    return problem(status, detail, invalid_params=params)


def abort(status: int, message: str | None = None, **kwargs: Any) -> NoReturn:
    """flask-smorest's abort, typed as never returning."""
    flask_smorest.abort(status, message=message, **kwargs)
    raise AssertionError("unreachable")


class Api(flask_smorest.Api):
    """Every HTTP error becomes problem+json, never a stack trace."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        if isinstance(error, RoutingException):
            return error
        if isinstance(error, NotModified):
            response = Response(status=304)
            response.set_etag(error.etag)
            return response
        status = error.code or 500
        if status >= 500:
            original = getattr(error, "original_exception", None)
            log.error("server error on %s %s", request.method, request.path, exc_info=original)
            return problem(status)
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages:
            return validation_problem(status, messages)
        detail = data.get("message") if isinstance(data, dict) else None
        response = problem(status, i18n.translate(detail) if detail else None)
        for name, value in (data.get("headers") or {}).items() if isinstance(data, dict) else ():
            response.headers[name] = value
        if status == 429 and error.get_response().headers.get("Retry-After"):
            response.headers["Retry-After"] = error.get_response().headers["Retry-After"]
        return response


class NotModified(flask_smorest.exceptions.NotModified):
    """304, carrying the ETag the empty response must repeat."""

    def __init__(self, etag: str) -> None:
        super().__init__()
        self.etag = etag


class Blueprint(flask_smorest.Blueprint):
    """ETags stay valid when a response is compressed (`"tag:gzip"` matches `"tag"`)."""

    def _check_not_modified(self, etag: str) -> None:
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED:
            for candidate in request.if_none_match:
                if candidate == etag or candidate.split(":", 1)[0] == etag:
                    raise NotModified(etag)
