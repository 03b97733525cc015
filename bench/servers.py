"""`python -m bench.servers`: WSGI servers compared under the same wrk load, access log on.

Each configuration serves Relais and the bare Flask app (both ceilings, as `make bench`),
caches on as in production: `/healthz`, a revalidation (304) and a cached first page; then
SIGTERM while wrk is loading `/healthz`: how long the server takes to exit and what the
clients saw. Writes `bench/results/servers-<time>.json` and prints a Markdown table.
granian is not a dependency of Relais: `.venv/bin/pip install granian` first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import threading
import time
from typing import Any

from bench import dataset, generate, load
from bench.server import Server


def _workers(kind: str, workers: int, threads: int) -> dict[str, str]:
    server = {"BENCH_SERVER": "granian"} if kind == "granian" else {"WEB_WORKER_CLASS": kind}
    return server | {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)}


CONFIGS = {
    "gunicorn gthread 4 × 2": _workers("gthread", 4, 2),
    "gunicorn gthread 2 × 4": _workers("gthread", 2, 4),
    "gunicorn sync 4 × 1": _workers("sync", 4, 1),
    "granian 2 × 2": _workers("granian", 2, 2),
    "granian 4 × 1": _workers("granian", 4, 1),
    "granian 4 × 2": _workers("granian", 4, 2),
}
CACHES = {"RESPONSE_CACHE": "1", "AUTH_CACHE": "1"}


def sigterm_under_load(env: dict[str, str], port: int, seconds: int = 6) -> dict[str, Any]:
    """SIGTERM half-way through a wrk run on `/healthz`: seconds to exit, and wrk's counts
    (connection errors after the exit are expected; read errors and 5xx are not)."""
    full = load.SERVER_ENV | env | {"DATABASE_URL": generate.DEFAULT_URL}
    server = Server(port, full, "sigterm")
    server.__enter__()
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["wrk"] = load.wrk(server.base, "/healthz", [("/healthz", "", "")], seconds, 16)
        except subprocess.CalledProcessError as error:
            result["wrk"] = {"failed": error.returncode}

    loader = threading.Thread(target=run)
    loader.start()
    time.sleep(seconds / 2)
    assert server.proc is not None
    sent = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(timeout=60)
        exited = round(time.monotonic() - sent, 2)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        exited = None
    server._stop.set()
    loader.join()
    wrk = result["wrk"]
    return {
        "exit_seconds": exited,
        "exit_code": server.proc.returncode,
        "statuses": wrk.get("statuses"),
        "errors": wrk.get("errors"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--only", help="comma-separated configuration names")
    args = parser.parse_args(argv)
    settings = load.parse_args(["--quick", "--duration", str(args.duration), "--no-sweep"])
    plan = dataset.FULL
    generate.ensure(settings.database_url, plan)
    names = args.only.split(",") if args.only else list(CONFIGS)
    started = dt.datetime.now(dt.UTC)
    rows, prepared = [], None
    for name in names:
        env = CONFIGS[name] | CACHES
        phase, prepared = load.run_phase(name, env, ["304", "first"], settings, prepared, plan)
        phase["sigterm"] = sigterm_under_load(env, settings.port + 10)
        phase["load_average"] = [round(x, 1) for x in os.getloadavg()]
        rows.append({"config": name, **phase})
        print(f"    SIGTERM: {phase['sigterm']}", flush=True)
    stamp = started.isoformat(timespec="seconds").replace(":", "").replace("+0000", "Z")
    path = load.RESULTS / f"servers-{stamp}.json"
    path.write_text(json.dumps({"started_at": stamp, "rows": rows}, indent=2) + "\n")
    print("\n".join(table(rows)))
    print(f"\nWrote {path}")


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | bare /ping req/s (CPU µs) | /healthz req/s (CPU µs) | 304 req/s (CPU µs)"
        " | cached first page req/s (CPU µs) | p50 / p99 ms (first page) | /healthz, 304, first"
        " ÷ bare | peak worker RSS MiB (bare) | SIGTERM under load: exit s, wrk errors |",
        "|---|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for row in rows:
        e = row["endpoints"]
        cell = {name: f"{r['rps']:,.0f} ({r['cpu_us']})" for name, r in e.items()}
        term = row["sigterm"]
        errors = {k: v for k, v in (term["errors"] or {}).items() if v}
        lines.append(
            f"| {row['config']} | {cell['bare']} | {cell['ceiling']} | {cell['304']}"
            f" | {cell['first']} | {e['first']['p50_ms']:.1f} / {e['first']['p99_ms']:.1f}"
            f" | {e['ceiling']['ratio_bare']:.2f}, {e['304']['ratio_bare']:.2f},"
            f" {e['first']['ratio_bare']:.2f}"
            f" | {row['peak_worker_rss_mib']} ({row['bare_peak_worker_rss_mib']})"
            f" | {term['exit_seconds']}, {errors or 'none'} |"
        )
    return lines


if __name__ == "__main__":
    main()
