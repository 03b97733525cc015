"""`python -m bench.wsgi_cost`: CPU per request in process, on the bench data, without a server.

Each request is a call of the WSGI application (`app(environ, start_response)`, its body read
and closed), timed with `time.process_time`: the best of five rounds of `-n` calls, the
answers taking turns. Beside Relais' answers, the bare Flask app of `make bench`
(`bench/bare.py`) answers `/ping`: the gap between the two is what Relais adds before the
server's own work. It reads `relais_bench` (`make bench` builds it) as one of `make bench`'s
users would (`--user`; 1 is the big supplier): `/healthz`, a 304, the list's first page, the
`SUSPENDUE` list, an invoice detail, the Synthèse and the Tableau de bord. `--cold` switches
both caches off (every answer computed; PostgreSQL's own time is not counted, it runs in its
own processes); `--profile NAME` prints a cProfile of that answer by CPU time.
bench/README.md quotes its figures ("in process").
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable, Iterable
from typing import Any

from bench import dataset, generate
from bench.load import SERVER_ENV

ROUNDS = 5


def _environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    route, _, query = path.partition("?")
    return EnvironBuilder(path=route, query_string=query, headers=headers).get_environ()


def _call(app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> None:
    answer = app(dict(environ), lambda status, headers, exc_info=None: None)
    for _ in answer:
        pass
    close = getattr(answer, "close", None)
    if close is not None:
        close()


def _cpu_per_call(
    targets: dict[str, tuple[Callable[..., Iterable[bytes]], dict[str, Any]]], n: int
) -> dict[str, float]:
    """The best of `ROUNDS` rounds for each, the answers taking turns within each round (a
    drift of the machine's speed then weighs on all of them alike)."""
    for app, environ in targets.values():
        for _ in range(min(n, 200)):
            _call(app, environ)
    best = dict.fromkeys(targets, float("inf"))
    for _ in range(ROUNDS):
        for name, (app, environ) in targets.items():
            start = time.process_time()
            for _ in range(n):
                _call(app, environ)
            best[name] = min(best[name], (time.process_time() - start) / n * 1e6)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("--cold", action="store_true", help="both caches off")
    parser.add_argument("-n", type=int, default=2000, help="calls per round")
    parser.add_argument("--user", type=int, default=5, help="bench user id (1: the big one)")
    parser.add_argument("--profile", help="an answer's name: print its profile by CPU")
    parser.add_argument("--sort", default="tottime", help="the profile's order (pstats' keys)")
    parser.add_argument("--lines", type=int, default=30, help="the profile's length")
    parser.add_argument("--callees", help="print what the functions matching this call instead")
    args = parser.parse_args(argv)
    cache = "0" if args.cold else "1"
    os.environ.update(
        SERVER_ENV
        | {"DATABASE_URL": args.database_url, "RESPONSE_CACHE": cache, "AUTH_CACHE": cache}
    )
    from backend.wsgi import app
    from bench.bare import app as bare

    client = app.test_client()
    login = {"email": dataset.email(args.user), "password": dataset.BENCH_PASSWORD}
    token = client.post("/api/v1/auth/login", json=login).get_json()["access_token"]
    plain = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/invoices", headers=plain)
    invoice_id = first.get_json()["items"][0]["id"]
    headers = plain | {"Accept-Encoding": "gzip"}
    etag = client.get("/api/v1/invoices", headers=headers).headers["ETag"]
    answers: dict[str, tuple[Any, str, dict[str, str]]] = {
        "bare /ping": (bare, "/ping", {"Accept-Encoding": "gzip"}),
        "/healthz": (app, "/healthz", {"Accept-Encoding": "gzip"}),
        "304": (app, "/api/v1/invoices", headers | {"If-None-Match": etag}),
        "first page": (app, "/api/v1/invoices", headers),
        "SUSPENDUE": (app, "/api/v1/invoices?status=SUSPENDUE", headers),
        "detail": (app, f"/api/v1/invoices/{invoice_id}", headers),
        "Synthèse": (app, "/api/v1/summary", headers),
        "Tableau de bord": (app, "/api/v1/dashboard", headers),
    }
    if args.cold:
        del answers["304"]  # a 304 needs no cache, and its ETag is the same either way
    label = "caches off" if args.cold else "caches on"
    targets = {
        name: (target, _environ(path, sent)) for name, (target, path, sent) in answers.items()
    }
    costs = _cpu_per_call(targets, args.n)
    print(label, "  ".join(f"{name} {micro:.0f} µs" for name, micro in costs.items()))
    if args.profile:
        target, path, sent = answers[args.profile]
        environ = _environ(path, sent)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.n):
            _call(target, environ)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats(args.sort)
        if args.callees:
            stats.print_callees(args.callees)
        else:
            stats.print_stats(args.lines)


if __name__ == "__main__":
    main()
