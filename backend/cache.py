"""Rendered answers of the read endpoints, keyed by the version of the data they show.

The key is the ETag material (endpoint, the user's scope with its structures' data
versions, query arguments, locale, Paris day): any change to what the user may see bumps a
data version, so a stale answer is never found again and nothing needs invalidating.
Two users with the same scope see the same data, so they may share an answer.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

import orjson
import redis
from flask import Request, current_app, g

from backend.responses import Response

log = logging.getLogger(__name__)
EXTENSION = "relais_response_cache"
REDIS_PREFIX = "relais:response:"
# The Paris day is part of the key: an answer is useless the next day.
REDIS_TTL_SECONDS = 24 * 3600
COMPRESSED_PREFIX = "compressed:"


class ResponseCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, body: bytes) -> None: ...


class NullCache:
    """Every read is computed (`RESPONSE_CACHE=0`)."""

    def get(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, body: bytes) -> None:
        return None


class MemoryCache:
    """A least-recently-used cache of bodies in this worker, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def set(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self.size += len(body) - (len(old) if old is not None else 0)
            self._items[key] = body
            while self.size > self.max_bytes:
                _key, evicted = self._items.popitem(last=False)
                self.size -= len(evicted)


class RedisCache:
    """Bodies shared by every worker; a Redis outage only costs the cache."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)

    def get(self, key: str) -> bytes | None:
        try:
            body = self.client.get(REDIS_PREFIX + key)
        except redis.RedisError as exc:
            log.warning("response cache unavailable: %s", exc)
            return None
        return body if isinstance(body, bytes) else None

    def set(self, key: str, body: bytes) -> None:
        try:
            self.client.set(REDIS_PREFIX + key, body, ex=REDIS_TTL_SECONDS)
        except redis.RedisError as exc:
            log.warning("response cache unavailable: %s", exc)


def from_config(config: Any) -> ResponseCache:
    """The cache the configuration asks for."""
    if not config.response_cache:
        return NullCache()
    if config.cache_url:
        return RedisCache(config.cache_url)
    return MemoryCache(config.response_cache_mb * 2**20)


def response_cache() -> ResponseCache:
    """This application's cache, created on first use."""
    cache = current_app.extensions.get(EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(
            EXTENSION, from_config(current_app.extensions["relais_config"])
        )
    return cache


def key_for(material: Any) -> str:
    """A hash of the answer's material (ETag and cache key); orjson: a tenth of json's time."""
    return hashlib.sha1(orjson.dumps(material, default=str, option=_KEY_OPTIONS)).hexdigest()


_KEY_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def cached(key: str, render: Callable[[], Response]) -> Response:
    """The stored body for `key`, or render it and store it when it is a 200 JSON answer."""
    cache = response_cache()
    if isinstance(cache, NullCache):
        return render()
    g.response_cache_key = key  # Flask-Compress's key for the compressed body (below)
    body = cache.get(key)
    if body is not None:
        response = Response(body, mimetype="application/json")
        response.headers["X-Cache"] = "hit"
        return response
    response = render()
    if response.status_code == 200 and response.mimetype == "application/json":
        cache.set(key, response.get_data())
        response.headers["X-Cache"] = "miss"
    return response


class CompressedBodies:
    """Flask-Compress's cache (`COMPRESS_CACHE_BACKEND`): the compressed bodies of the answers
    above, beside them in the response cache, so a cached read is not compressed again.

    Compressing a page of invoices cost a fifth of a cached read's CPU. Flask-Compress keys a
    body `<algorithm>;<compressed_key()>`: the same version key as the plain body, so a
    compressed body is never older than the data. Answers without that key (every other
    route) are neither read nor stored, and with the response cache off nothing is kept.
    """

    def get(self, key: str) -> bytes | None:
        if key.endswith(";"):
            return None
        body = response_cache().get(COMPRESSED_PREFIX + key)
        if body is not None:
            g.compressed_hit = key
        return body

    def set(self, key: str, body: bytes) -> None:
        # Flask-Compress stores the body again after a hit: not worth a write (or a Redis trip).
        if key.endswith(";") or g.get("compressed_hit") == key:
            return
        response_cache().set(COMPRESSED_PREFIX + key, body)


def compress_file_once(version: str) -> None:
    """A file's answer keeps its compressed body beside the answers above, under `version`
    (its path and ETag, which changes with the file): each worker compresses a stylesheet or
    a script once, not on each request (Swagger UI's script is over 1 MB)."""
    g.response_cache_key = f"file:{version}"


def compressed_key(request: Request) -> str:
    """`COMPRESS_CACHE_KEY`: the response cache's key of this answer, empty if it has none."""
    key: str = g.get("response_cache_key", "")
    return key
