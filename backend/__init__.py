"""Relais backend: the Flask application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from backend.config import Config
from backend.responses import Response

# Resource modules, in the order their tags appear in the OpenAPI document.
BLUEPRINTS = (
    "backend.accounts.routes",
    "backend.accounts.account_routes",
    "backend.accounts.session_routes",
    "backend.accounts.twofactor_routes",
    "backend.privacy.routes",
    "backend.tracking.routes",
    "backend.payments.routes",
    "backend.integrations.routes",
    "backend.sync.routes",
    "backend.onboarding.routes",
    "backend.members.member_routes",
    "backend.members.invitation_routes",
    "backend.push.routes",
    "backend.trainings.routes",
    "backend.trainings.trainer_routes",
    "backend.announcements.routes",
    "backend.announcements.newsletter_routes",
    "backend.health.routes",
)


def create_app(config: Config | None = None, **overrides: Any) -> Flask:
    """Build a Relais application; nothing starts at import time."""
    from importlib import import_module

    from backend import cache, security
    from backend.db import listeners
    from backend.extensions import api, db, init_compress, init_limiter
    from backend.jsonio import OrjsonProvider

    config = config or Config.from_env(**overrides)
    app = RelaisFlask(__name__, instance_path=config.instance_path)
    app.json = OrjsonProvider(app)
    app.session_interface = NoCookieSessions()
    app.config.update(
        SECRET_KEY=config.secret_key,
        SQLALCHEMY_DATABASE_URI=config.database_url,
        SQLALCHEMY_ECHO=config.sql_echo,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(config),
        TESTING=config.testing,
        LOGIN_RATE_LIMIT=config.login_rate_limit,
        RATELIMIT_STORAGE_URI=config.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        # A 50 MB body was read whole before any check: 413 from werkzeug, as problem+json.
        MAX_CONTENT_LENGTH=config.max_body_bytes,
        API_TITLE="Relais",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        # Swagger UI's files come from a Python package, so /api/docs works offline.
        OPENAPI_SWAGGER_UI_URL="/api/swagger-ui/",
        # Swagger UI's validator badge would send the spec's address to validator.swagger.io.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        API_SPEC_OPTIONS=_spec_options(config),
        COMPRESS_MIMETYPES=[
            "application/json",
            "application/problem+json",
            "text/html",
            "text/csv",
            "text/calendar",
            # The site's and Swagger UI's files (kept compressed: `cache.compress_file_once`).
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/svg+xml",
        ],
        COMPRESS_MIN_SIZE=500,
        # A file streamed from disk (the API docs' two small files) stays as it is: Flask-Compress
        # would swap it for a generator and leave the file open. The site's are read whole.
        COMPRESS_STREAMS=False,
        # Done by `init_compress`, only for requests that carry conditions.
        COMPRESS_EVALUATE_CONDITIONAL_REQUEST=False,
        # gzip level 3: half the CPU of the default 6 for 11% more bytes (a 19 KiB page of
        # invoices: 3.2 KiB instead of 2.9 KiB, 0.09 ms instead of 0.18 ms).
        COMPRESS_LEVEL=3,
        COMPRESS_ALGORITHM=["br", "gzip"],
        # Cached read answers keep their compressed bodies too (backend/cache.py).
        COMPRESS_CACHE_BACKEND=cache.CompressedBodies,
        COMPRESS_CACHE_KEY=cache.compressed_key,
    )
    app.config.update(config.extra)
    if config.trusted_proxies:
        # The client's address (rate limits) is the one the trusted proxies forwarded.
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.extensions["relais_config"] = config

    db.init_app(app)
    listeners.bind_app(app)  # before anything connects: limiter's storage is the database
    init_limiter(app)
    init_compress(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    api.spec.components.security_scheme(
        "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    )
    for name in BLUEPRINTS:
        api.register_blueprint(import_module(name).blp)
    from backend.site.routes import blp as site

    app.register_blueprint(site)
    from backend.webapp.routes import blp as webapp

    app.register_blueprint(webapp)
    security.init_app(app)
    logging.getLogger("backend").setLevel(logging.INFO)
    return app


class RelaisFlask(Flask):
    """Flask, answering with `backend.responses.Response`, and asking once per function
    whether it is a coroutine function.

    Flask asks `inspect` on every call of every hook and view (ten times a `/healthz`: 6 % of
    its CPU in process). The answer is kept by the plain function, so a method bound anew on
    each request (a MethodView's `get`) does not grow the table; a function made on each
    request (`after_this_request`) is asked each time once the table holds `KNOWN_MAX`.
    """

    KNOWN_MAX = 4096
    response_class = Response

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._is_async: dict[Any, bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        plain = getattr(func, "__func__", func)
        try:
            is_async = self._is_async[plain]
        except (KeyError, TypeError):  # TypeError: an unhashable callable, asked each time
            is_async = iscoroutinefunction(func)
            if len(self._is_async) < self.KNOWN_MAX:
                with suppress(TypeError):
                    self._is_async[plain] = is_async
        return self.async_to_sync(func) if is_async else func


class NoCookieSessions(SecureCookieSessionInterface):
    """Relais keeps nothing in cookies (the phone sends a bearer token, the site's forms a
    signed token of their own): no signed-cookie session to open and save on every request."""

    def open_session(self, app: Flask, request: Request) -> None:
        return None  # Flask then lends a null session, which refuses any write


def _engine_options(config: Config) -> dict[str, Any]:
    if config.is_postgresql:
        # No pre-ping: it cost a round trip per request (a quarter of a 304). Connections are
        # recycled instead, and a dropped one fails a single request, then the pool resets.
        return {"pool_recycle": 300, "pool_size": 10, "max_overflow": 5}
    return {"connect_args": {"timeout": 30}}


def _spec_options(config: Config) -> dict[str, Any]:
    return {
        "info": {
            "description": "API de Relais : suivi des factures publiques sur téléphone.",
        },
        # Paths carry their /api/v1 prefix (the probes /healthz and /readyz have none).
        "servers": [{"url": config.public_base_url, "description": "Relais"}],
        "security": [{"bearerAuth": []}],
    }
