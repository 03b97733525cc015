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
import os
import time
from collections.abc import Callable
from typing import Any

import orjson
import psycopg

from bench import cpu, dataset, generate
from bench.load import SERVER_ENV

ROUNDS = 5


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("-n", type=int, default=2000, help="calls per round")
    parser.add_argument("--user", type=int, default=5, help="bench user id (1: the big one)")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    statements, body, level = _recorded_statements(args.user)
    page = orjson.loads(body)
    conn = psycopg.connect(args.database_url, autocommit=True)

    def run_statements() -> None:
        for query, params in statements:
            with conn.cursor() as cursor:
                cursor.execute(query, params)
                cursor.fetchall()

    backend = conn.info.backend_pid
    spent_before = cpu.process_seconds(backend)
    costs = {
        f"{len(statements)} statements (psycopg)": _best(run_statements, args.n),
        f"JSON ({len(body):,} bytes, orjson)": _best(lambda: orjson.dumps(page), args.n),
        f"gzip level {level}": _best(lambda: gzip.compress(body, level), args.n),
    }
    # PostgreSQL's side of the same runs (warm-up included): its backend's CPU per page.
    runs = min(args.n, 300) + ROUNDS * args.n
    postgres = (cpu.process_seconds(backend) - spent_before) / runs * 1e6
    conn.close()
    print(
        "cold first page, floor in process: "
        + ", ".join(f"{name} {micro:.0f} µs" for name, micro in costs.items())
        + f"; sum {sum(costs.values()):.0f} µs; PostgreSQL {postgres:.0f} µs per page"
    )


if __name__ == "__main__":
    main()
