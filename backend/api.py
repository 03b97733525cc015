"""Project subclasses of flask-smorest: problem+json errors, encoding-aware ETags
(`backend.etags`) and an operationId for every operation."""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from http import HTTPStatus
from typing import Any, NoReturn, TypeVar

import flask_smorest
from flask import Flask, json, render_template, request, url_for
from flask_smorest.utils import prepare_response
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map, RoutingException

from backend import apidocs, i18n
from backend.etags import EtagChecks, NotModified
from backend.logsafe import loggable_path
from backend.responses import Response
from backend.schemas import CONTROL_CHARACTERS

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Set by `auth_required` on what it wraps: such operations document their 401.
AUTH_MARKER = "_relais_auth_required"
UNAUTHORIZED_DOC = "Jeton absent, invalide, expiré ou révoqué"

_STATUS_MESSAGE = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
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
        # A field's name comes from the client: one with a lone surrogate cannot be encoded.
        dotted = CONTROL_CHARACTERS.sub("\ufffd", dotted)
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


def _numeric_bounds(
    converter: Any, field: fields.Field, ret: dict[str, Any], **_: Any
) -> dict[str, Any]:
    """Decimal fields: amounts sent as strings say so; range bounds are JSON numbers."""
    if not isinstance(field, fields.Decimal):
        return {}
    if field.as_string:
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    bounds = {}
    for key in ("minimum", "maximum", "x-minimum", "x-maximum"):
        value = ret.get(key)
        if isinstance(value, Decimal):
            bounds[key] = int(value) if value == value.to_integral_value() else float(value)
    return bounds


class InvalidParamSchema(Schema):
    name = fields.String(required=True, metadata={"description": "Champ (chemin pointé)"})
    in_ = fields.String(data_key="in", metadata={"description": "json, query, path, headers"})
    reason = fields.String(required=True)


class ProblemSchema(Schema):
    """An RFC 9457 problem, as every error of the API is answered."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    invalid_params = fields.List(fields.Nested(InvalidParamSchema))


# The largest id either database stores (signed 64-bit); beyond it drivers overflow.
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:…>`, the id of every route: any integer the database can hold, negative ones too
    (the view answers 404); another segment matches no rule, also a 404 (the site's catch-all
    leaves /api/ alone). The document states the bounds."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        kwargs.setdefault("signed", True)
        kwargs.setdefault("min", -MAX_ID)
        super().__init__(map, *args, **kwargs)


def operation_id(method: str, view: Any) -> str:
    """The operation's id, camelCase: its HTTP method, then its view's name (`getInvoiceDetail`,
    `postManagedTrainings`). Renaming a view renames its operation: tests/openapi pins them."""
    words = re.split(r"_+", view.__name__)
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words)


class Api(flask_smorest.Api):
    """Every HTTP error becomes problem+json, never a stack trace."""

    ERROR_SCHEMA = ProblemSchema
    # No catch-all "default" response: each operation lists the statuses it can answer.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def init_app(self, app: Flask, **kwargs: Any) -> None:
        app.url_map.converters["int"] = IdConverter
        super().init_app(app, **kwargs)
        app.register_blueprint(apidocs.blp)

    def _openapi_swagger_ui(self) -> str:
        """Swagger UI in Relais' own page (backend/apidocs): French, fit for a phone, legible,
        with a link back to the site."""
        return render_template(
            apidocs.TEMPLATE,
            title=self.spec.title,
            spec_url=url_for(f"{self._make_doc_blueprint_name()}.openapi_json"),
            swagger_ui_url=self._swagger_ui_url,
            swagger_ui_config=self.config.get("OPENAPI_SWAGGER_UI_CONFIG", {}),
            site_url="/",
        )

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(_numeric_bounds)

    def _register_pagination_header(self) -> None:
        """Relais pages with cursors of its own: flask-smorest's pagination header (and its
        schema) would be an unused component of the document."""

    def _register_responses(self) -> None:
        """Document the shared error responses (401, 404, 422, …) as problem+json."""
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Any:
        if isinstance(error, RoutingException):
            return error
        if isinstance(error, NotModified):
            return error.as_response()
        status = error.code or 500
        # A 5xx the code chose (a portal unavailable: 503 with its advice) keeps its words.
        chosen = getattr(error, "data", None)
        if status >= 500 and not (isinstance(chosen, dict) and chosen.get("message")):
            original = getattr(error, "original_exception", None)
            path = loggable_path(request.path)  # an unsubscribe link carries its token
            log.error("server error on %s %s", request.method, path, exc_info=original)
            return problem(status)
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if messages:
            return validation_problem(status, messages)
        detail = data.get("message") if isinstance(data, dict) else None
        # A problem type (a URI) lets a client tell apart answers of one status.
        kind = data.get("type") if isinstance(data, dict) else None
        extra = {"type": kind} if isinstance(kind, str) else {}
        response = problem(status, i18n.translate(detail) if detail else None, **extra)
        for name, value in (data.get("headers") or {}).items() if isinstance(data, dict) else ():
            response.headers[name] = value
        # Headers the status needs to be usable: Retry-After (429), Allow (405, RFC 9110).
        original = error.get_response().headers
        for name in ("Retry-After", "Allow"):
            if original.get(name):
                response.headers[name] = original[name]
        return response


class QueryArgs(dict[str, list[str]]):
    """A query string's values by name, read as webargs reads werkzeug's MultiDict (`get`,
    the first value; `getlist`, all). werkzeug raises and catches an exception for each absent
    name, and webargs asks for every field of the schema twice: 30 a list request."""

    def __init__(self, args: Any) -> None:
        super().__init__(args.lists())

    def get(self, key: str, default: Any = None) -> Any:
        values = super().get(key)
        return default if values is None else values[0]

    def getlist(self, key: str) -> list[str]:
        return super().get(key) or []


class Parser(FlaskParser):
    """webargs' Flask parser, reading query strings through `QueryArgs`.

    An empty query string is parsed once per schema: what it loads to (the schema's
    defaults) is kept and a copy handed out after. A tenth of a cold first page's CPU went
    to loading `{}` again, through every field and the control-character check.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._empty_queries: dict[tuple[int, Any], tuple[Schema, Any]] = {}
        self._lock = threading.Lock()

    def load_querystring(self, req: Any, schema: Schema) -> Any:
        return self._makeproxy(QueryArgs(req.args), schema)

    def parse(
        self, argmap: Any, req: Any = None, *, location: str | None = None, **kwargs: Any
    ) -> Any:
        if location != "query" or not isinstance(argmap, Schema) or (req or request).query_string:
            return super().parse(argmap, req, location=location, **kwargs)
        key = (id(argmap), tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        known = self._empty_queries.get(key)
        if known is None or known[0] is not argmap:
            loaded = super().parse(argmap, req, location=location, **kwargs)
            with self._lock:
                self._empty_queries[key] = (argmap, loaded)
            return copy.deepcopy(loaded)
        return copy.deepcopy(known[1])


class Blueprint(EtagChecks, flask_smorest.Blueprint):
    """ETags stay valid when a response is compressed (`"tag:gzip"` matches `"tag"`)."""

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """Also document the 400 a body that is not JSON at all gets.

        A schema class is instantiated once, here: webargs would build one per request."""
        if isinstance(schema, type):
            schema = schema()
        parse = super().arguments(schema, location=location, **kwargs)
        if location != "json":
            return parse
        unreadable = self.problem(400, "Le corps de la requête n'est pas un JSON valide")
        return lambda func: unreadable(parse(func))

    def _store_endpoint_docs(
        self, endpoint: str, obj: Any, parameters: Any, tags: Any, **options: Any
    ) -> None:
        """Every operation gets its operationId, and documents its 401 when it is behind
        `auth_required`, wherever that is applied."""
        super()._store_endpoint_docs(endpoint, obj, parameters, tags, **options)
        guarded_class = any(getattr(d, AUTH_MARKER, False) for d in getattr(obj, "decorators", ()))
        for method, doc in self._docs[endpoint].items():
            if method == "parameters":
                continue
            doc.setdefault("manual_doc", {}).setdefault("operationId", operation_id(method, obj))
            view = getattr(obj, method, None) if isinstance(obj, type) else obj
            if not (guarded_class or getattr(view, AUTH_MARKER, False)):
                continue
            responses = doc.setdefault("response", {}).setdefault("responses", {})
            responses.setdefault(401, [self._problem_doc(UNAUTHORIZED_DOC)])

    def alt_response(
        self,
        status_code: int,
        response: Any = None,
        *,
        schema: Any = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """An error documented without a body is still answered as problem+json
        (`Api.handle_http_exception`): the document says so."""
        if response is None and schema is None and int(status_code) >= 400:
            schema, content_type = ProblemSchema, PROBLEM_MEDIA_TYPE
        return super().alt_response(
            status_code, response, schema=schema, content_type=content_type, **kwargs
        )

    def _problem_doc(self, description: str) -> dict[str, Any]:
        schema = self._make_doc_response_schema(ProblemSchema())
        return {"schema": schema, "description": description, "content_type": PROBLEM_MEDIA_TYPE}

    def problem(self, status: int, description: str | None = None) -> Any:
        """Document an error response answered as problem+json."""
        return self.alt_response(
            status, schema=ProblemSchema, content_type=PROBLEM_MEDIA_TYPE, description=description
        )
