"""The response cache: keyed by the data's version, never shared across scopes."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator

import brotli
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from backend import cache
from backend.config import Config
from tests.factories import at, make_invoice
from tests.tracking.conftest import World

ENDPOINTS = ["/api/v1/invoices", "/api/v1/summary", "/api/v1/dashboard"]


@pytest.fixture
def memory_cache(app: Flask, monkeypatch: pytest.MonkeyPatch) -> cache.MemoryCache:
    """The test app runs without a cache (its data versions restart at 0): switch one on."""
    store = cache.MemoryCache(2**20)
    monkeypatch.setitem(app.extensions, cache.EXTENSION, store)
    return store


def test_second_read_is_a_hit_without_the_list_query(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache, count_queries
) -> None:  # type: ignore[no-untyped-def]
    h = world.headers(client)
    for url in [*ENDPOINTS, f"/api/v1/invoices/{world.paid.id}", "/api/v1/invoices?status=REJETEE"]:
        first = client.get(url, headers=h)
        assert (first.status_code, first.headers["X-Cache"]) == (200, "miss"), url
        count_queries.statements.clear()
        second = client.get(url, headers=h)
        assert (second.status_code, second.headers["X-Cache"]) == (200, "hit"), url
        assert second.get_json() == first.get_json()
        assert second.headers["ETag"] == first.headers["ETag"]
        assert not any("FROM invoices" in s for s in count_queries.statements)


def test_a_change_bumps_the_version_and_misses(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache
) -> None:
    h = world.headers(client)
    before = client.get("/api/v1/invoices", headers=h)
    assert client.get("/api/v1/invoices", headers=h).headers["X-Cache"] == "hit"
    make_invoice(world.mine, world.town, [("DEPOSEE", at(29))], number="F-NOUVELLE")
    after = client.get("/api/v1/invoices", headers=h)
    assert after.headers["X-Cache"] == "miss"
    assert after.get_json()["total"] == before.get_json()["total"] + 1
    assert after.headers["ETag"] != before.headers["ETag"]


def test_other_users_never_get_someone_elses_body(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache
) -> None:
    mine = {url: client.get(url, headers=world.headers(client)).get_json() for url in ENDPOINTS}
    for user in (world.them, world.roads_only):
        h = world.headers(client, user)
        for url in ENDPOINTS:
            response = client.get(url, headers=h)
            assert response.headers["X-Cache"] == "miss", (user.email, url)
            assert response.get_json() != mine[url]
    numbers = {
        i["number"]
        for i in client.get(
            "/api/v1/invoices", headers=world.headers(client, world.them)
        ).get_json()["items"]
    }
    assert numbers == {"F-AUTRE"}
    # A cached detail is not a way around the scope either.
    detail = f"/api/v1/invoices/{world.foreign.id}"
    assert client.get(detail, headers=world.headers(client, world.them)).status_code == 200
    assert client.get(detail, headers=world.headers(client)).status_code == 404


def test_revalidation_still_answers_304(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache
) -> None:
    h = world.headers(client)
    etag = client.get("/api/v1/invoices", headers=h).headers["ETag"]
    assert client.get("/api/v1/invoices", headers={**h, "If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compressed_bodies_are_kept_with_the_version_they_show(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache, encoding: str
) -> None:
    decompress = gzip.decompress if encoding == "gzip" else brotli.decompress
    h = world.headers(client)
    packed = {**h, "Accept-Encoding": encoding}
    for url in [*ENDPOINTS, f"/api/v1/invoices/{world.paid.id}"]:
        plain = client.get(url, headers=h).get_json()
        first = client.get(url, headers=packed)
        assert first.headers["Content-Encoding"] == encoding, url
        stored = [k for k in memory_cache._items if k.startswith(f"compressed:{encoding};")]
        assert len(stored) == 1, url  # one compressed body, keyed like the plain one
        second = client.get(url, headers=packed)
        assert second.headers["X-Cache"] == "hit" and second.data == first.data, url
        assert json.loads(decompress(second.data)) == plain, url
        memory_cache._items.pop(stored[0])
    # New data, new version: the compressed answer shows it.
    before = json.loads(decompress(client.get(ENDPOINTS[0], headers=packed).data))
    make_invoice(world.mine, world.town, [("DEPOSEE", at(29))], number="F-NOUVELLE")
    after = json.loads(decompress(client.get(ENDPOINTS[0], headers=packed).data))
    assert after["total"] == before["total"] + 1
    assert "F-NOUVELLE" in {item["number"] for item in after["items"]}


def test_only_cached_answers_keep_compressed_bodies(
    client: FlaskClient, world: World, memory_cache: cache.MemoryCache
) -> None:
    packed = {"Accept-Encoding": "gzip"}
    spec = client.get("/api/openapi.json", headers=packed)
    assert spec.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(spec.data))["info"]["title"] == "Relais"
    assert not memory_cache._items


def test_disabled_by_config(client: FlaskClient, world: World) -> None:
    h = world.headers(client)
    for _ in range(2):
        answer = client.get("/api/v1/invoices", headers={**h, "Accept-Encoding": "gzip"})
        assert "X-Cache" not in answer.headers
        assert answer.headers["Content-Encoding"] == "gzip"
    off = Config(instance_path=str(client.application.instance_path), response_cache=False)
    assert isinstance(cache.from_config(off.resolved()), cache.NullCache)


@pytest.mark.nodb
def test_on_by_default_off_in_tests(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert Config.from_env({"RELAIS_INSTANCE": str(tmp_path)}).response_cache is True
    assert Config(instance_path=str(tmp_path), testing=True).resolved().response_cache is False
    env = {"RELAIS_INSTANCE": str(tmp_path), "RESPONSE_CACHE": "0"}
    assert Config.from_env(env).response_cache is False
    redis_config = Config.from_env(env | {"RESPONSE_CACHE": "1", "CACHE_URL": "redis://x:1/0"})
    assert isinstance(cache.from_config(redis_config), cache.RedisCache)


@pytest.mark.nodb
def test_memory_cache_is_bounded_in_bytes() -> None:
    store = cache.MemoryCache(max_bytes=800)
    for n in range(10):
        store.set(f"k{n}", bytes(100))
    assert store.size <= 800
    assert store.get("k0") is None and store.get("k9") == bytes(100)
    store.set("huge", bytes(500))  # more than an eighth of the budget: not kept
    assert store.get("huge") is None


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.2).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    yield url


@pytest.mark.nodb
def test_redis_cache_round_trip(redis_url: str) -> None:
    store = cache.RedisCache(redis_url)
    key = uuid.uuid4().hex
    assert store.get(key) is None
    store.set(key, b'{"a": 1}')
    assert store.get(key) == b'{"a": 1}'
    store.client.delete(cache.REDIS_PREFIX + key)


@pytest.mark.nodb
def test_redis_outage_only_costs_the_cache() -> None:
    store = cache.RedisCache("redis://127.0.0.1:1/0")
    store.set("k", b"x")
    assert store.get("k") is None
