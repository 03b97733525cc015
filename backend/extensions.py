"""Extensions, created unbound and bound to an app in `create_app`."""

from __future__ import annotations

from flask import request
from flask_compress import Compress
from flask_limiter import Limiter

from backend.api import Api
from backend.db import db


def client_address() -> str:
    """The client's address for rate limits (gunicorn sits behind a trusted proxy)."""
    return request.remote_addr or "unknown"


api = Api()
limiter = Limiter(key_func=client_address, default_limits=[], headers_enabled=True)
compress = Compress()

__all__ = ["api", "compress", "db", "limiter"]
