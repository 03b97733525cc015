"""`python -m bench.floor`: what a cold first page costs any implementation, in this process.

A cold read of the list (every cache off, as in `make bench`'s second phase) must at least
send its two statements (the token's session and scope, then the page with its total) to
PostgreSQL and read their rows, write the page as JSON and compress it for a client that
asks `gzip`. This measures those three parts alone, with nothing of Flask or of Relais
around them: the statements exactly as Relais sends them (recorded from one request of the
app) on a psycopg connection of their own (prepared after five runs, as in the app), the
app's own JSON body through orjson, and that body through zlib's gzip at `COMPRESS_LEVEL`.

With the bare app's CPU per request under the server, PostgreSQL's and wrk's (`make bench`
measures all three), the sum bounds the cold pages two cores can serve in a second whatever
the code around them (bench/README, "The floor of a cold read"). CPU time, best of five
rounds; `--user` as in `bench.wsgi_cost`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson
import psycopg

from bench import cpu, dataset, generate

ROUNDS = 5
JSON_PREFIX = "FLOOR_JSON "


def _best(work: Callable[[], Any], n: int) -> float:
    """CPU µs per call of `work`: the best of `ROUNDS` rounds of `n` calls, after a warm-up."""
    for _ in range(min(n, 300)):
        work()
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(n):
            work()
        best = min(best, (time.process_time() - start) / n * 1e6)
    return best


def _recorded_statements(user: int) -> tuple[list[tuple[str, Any]], bytes, int]:
    """The statements one cold first page sends, its JSON body and the app's gzip level."""
    from bench.load import SERVER_ENV  # (bench.load runs this module)

    os.environ.update(SERVER_ENV | {"RESPONSE_CACHE": "0", "AUTH_CACHE": "0"})
    from backend.wsgi import app

    client = app.test_client()
    login = {"email": dataset.email(user), "password": dataset.BENCH_PASSWORD}
    token = client.post("/api/v1/auth/login", json=login).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/invoices", headers=headers)
    recorded: list[tuple[str, Any]] = []
    execute = psycopg.Cursor.execute

    def record(cursor: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        recorded.append((query, params))
        return execute(cursor, query, params, **kwargs)

    psycopg.Cursor.execute = record  # type: ignore[method-assign,assignment]
    try:
        body = client.get("/api/v1/invoices", headers=headers).get_data()
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
    return recorded, body, int(app.config["COMPRESS_LEVEL"])


def measure(database_url: str, user: int = 5, n: int = 2000) -> dict[str, Any]:
    """CPU µs of each part of the floor, their sum, and PostgreSQL's backend per page."""
    os.environ["DATABASE_URL"] = database_url
    statements, body, level = _recorded_statements(user)
    page = orjson.loads(body)
    conn = psycopg.connect(database_url, autocommit=True)

    def run_statements() -> None:
        for query, params in statements:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()

    backend = conn.info.backend_pid
    spent_before = cpu.process_seconds(backend)
    found = {
        "statements": len(statements),
        "statements_us": round(_best(run_statements, n)),
        "body_bytes": len(body),
        "json_us": round(_best(lambda: orjson.dumps(page), n)),
        "gzip_level": level,
        "gzip_us": round(_best(lambda: gzip.compress(body, level), n)),
    }
    # PostgreSQL's side of the same runs (warm-up included): its backend's CPU per page.
    runs = min(n, 300) + ROUNDS * n
    found["postgres_us"] = round((cpu.process_seconds(backend) - spent_before) / runs * 1e6)
    conn.close()
    found["sum_us"] = found["statements_us"] + found["json_us"] + found["gzip_us"]
    return found


def run_apart(database_url: str) -> dict[str, Any]:
    """`measure` in a process of its own (it sets the app's environment), for `make bench`."""
    command = [sys.executable, "-m", "bench.floor", "--json", "--database-url", database_url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith(JSON_PREFIX))
    found: dict[str, Any] = json.loads(line.removeprefix(JSON_PREFIX))
    return found


def bound(
    measured: dict[str, Any], bare: dict[str, Any], cold: dict[str, Any], cores: int
) -> float:
    """The most cold pages per second `cores` could serve if the code around the floor cost
    nothing: each page pays the bare app's CPU under the server, the floor, PostgreSQL's and
    wrk's CPU as measured for the cold first page; as a ratio to the bare app's rate."""
    per_page = bare["cpu_us"] + measured["sum_us"] + cold["pg_us"] + cold["wrk_us"]
    return float(cores * 1e6 / per_page / bare["rps"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("-n", type=int, default=2000, help="calls per round")
    parser.add_argument("--user", type=int, default=5, help="bench user id (1: the big one)")
    parser.add_argument("--json", action="store_true", help="one line for `run_apart`")
    args = parser.parse_args(argv)
    found = measure(args.database_url, args.user, args.n)
    if args.json:
        print(JSON_PREFIX + json.dumps(found))
        return
    print(
        f"cold first page, floor in process: {found['statements']} statements (psycopg)"
        f" {found['statements_us']} µs, JSON ({found['body_bytes']:,} bytes, orjson)"
        f" {found['json_us']} µs, gzip level {found['gzip_level']} {found['gzip_us']} µs;"
        f" sum {found['sum_us']} µs; PostgreSQL {found['postgres_us']} µs per page"
    )


if __name__ == "__main__":
    main()
