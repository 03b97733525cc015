"""`python -m bench.servers`: WSGI servers compared under the same wrk load, access log on.

Each configuration serves Relais and the bare Flask app (both ceilings, as `make bench`),
caches on as in production: `/healthz`, a revalidation (304) and a cached first page; then
SIGTERM while wrk is loading `/healthz`: how long the server takes to exit and what the
clients saw. Writes `bench/results/servers-<time>.json` and prints a Markdown table.
granian serves Relais (`backend/serve.py`); gunicorn runs with the settings it had in
production (`bench/gunicorn.conf.py`), its cheap access log included.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

from bench import dataset, generate, load
from bench.cpu import descendants
from bench.server import Server


def _workers(kind: str, workers: int, threads: int) -> dict[str, str]:
    server = (
        {"BENCH_SERVER": "granian"}
        if kind == "granian"
        else {"BENCH_SERVER": "gunicorn", "WEB_WORKER_CLASS": kind}
    )
    return server | {"WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)}


CONFIGS = {
    "gunicorn gthread 4 × 2": _workers("gthread", 4, 2),
    "gunicorn gthread 4 × 1": _workers("gthread", 4, 1),
    "gunicorn gthread 2 × 4": _workers("gthread", 2, 4),
    "gunicorn sync 3 × 1": _workers("sync", 3, 1),
    "gunicorn sync 4 × 1": _workers("sync", 4, 1),
    "granian 2 × 2": _workers("granian", 2, 2),
    "granian 4 × 1": _workers("granian", 4, 1),
    "granian 4 × 2": _workers("granian", 4, 2),
}
CACHES = {"RESPONSE_CACHE": "1", "AUTH_CACHE": "1"}


def signal_under_load(
    env: dict[str, str], port: int, signum: int, seconds: int = 6
) -> dict[str, Any]:
    """A signal to the server half-way through a wrk run on `/healthz`, and what the clients
    saw. SIGTERM: seconds to exit (connection errors after the exit are expected; read
    errors and 5xx are not). SIGHUP (a graceful reload): whether the server still answers at
    the end with new workers, and wrk's counts across the reload."""
    full = load.SERVER_ENV | env | {"DATABASE_URL": generate.DEFAULT_URL}
    server = Server(port, full, signal.Signals(signum).name.lower())
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
    workers_before = set(descendants(server.proc.pid))
    sent = time.monotonic()
    server.proc.send_signal(signum)
    outcome: dict[str, Any] = {}
    if signum == signal.SIGTERM:
        try:
            server.proc.wait(timeout=60)
            outcome["exit_seconds"] = round(time.monotonic() - sent, 2)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            outcome["exit_seconds"] = None
        outcome["exit_code"] = server.proc.returncode
        server._stop.set()
        loader.join()
    else:
        loader.join()
        try:
            answered: int | str = httpx.get(server.base + "/healthz", timeout=5).status_code
        except httpx.HTTPError as error:
            answered = type(error).__name__
        # granian respawns its workers one `respawn_interval` (3.5 s) after the signal.
        deadline, workers_after = time.monotonic() + 30, set(descendants(server.proc.pid))
        while (not workers_after or workers_after & workers_before) and time.monotonic() < deadline:
            time.sleep(0.5)
            workers_after = set(descendants(server.proc.pid))
        outcome["answers_after"] = answered
        outcome["workers_replaced"] = bool(workers_after) and not workers_after & workers_before
        outcome["replaced_within_seconds"] = round(time.monotonic() - sent, 1)
        server.__exit__(None, None, None)
    wrk = result["wrk"]
    return outcome | {"statuses": wrk.get("statuses"), "errors": wrk.get("errors")}


class Contention:
    """A second load sharing the machine: `n` processes spinning on the CPU, at the same
    priority as the server, for as long as the block lasts."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Contention:
        spin = [sys.executable, "-c", "while True: pass"]
        self.procs = [subprocess.Popen(spin) for _ in range(self.n)]
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--only", help="comma-separated configuration names")
    parser.add_argument(
        "--contention", type=int, default=1, help="CPU-bound processes sharing the machine"
    )
    args = parser.parse_args(argv)
    settings = load.parse_args(["--quick", "--duration", str(args.duration), "--no-sweep"])
    plan = dataset.FULL
    generate.ensure(settings.database_url, plan)
    names = args.only.split(",") if args.only else list(CONFIGS)
    started = dt.datetime.now(dt.UTC)
    rows, prepared = [], None
    for index, name in enumerate(names):
        env = CONFIGS[name] | CACHES
        # Ports of their own: a server being stopped may still hold the last one's.
        signal_port = settings.port + 10 + 3 * index
        phase, prepared = load.run_phase(name, env, ["304", "first"], settings, prepared, plan)
        if args.contention:
            with Contention(args.contention):
                contended, _ = load.run_phase(
                    f"{name}, contended", env, ["304", "first"], settings, prepared, plan
                )
            phase["contended"] = contended["endpoints"]
        phase["sigterm"] = signal_under_load(env, signal_port, signal.SIGTERM)
        phase["sighup"] = signal_under_load(env, signal_port + 1, signal.SIGHUP)
        phase["load_average"] = [round(x, 1) for x in os.getloadavg()]
        rows.append({"config": name, **phase})
        print(f"    SIGTERM: {phase['sigterm']}\n    SIGHUP: {phase['sighup']}", flush=True)
    stamp = started.isoformat(timespec="seconds").replace(":", "").replace("+0000", "Z")
    path = load.RESULTS / f"servers-{stamp}.json"
    run = {"started_at": stamp, "contention": args.contention, "rows": rows}
    path.write_text(json.dumps(run, indent=2) + "\n")
    print("\n".join(table(rows)))
    print(f"\nWrote {path}")


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| server | bare /ping req/s (CPU µs) | /healthz req/s (CPU µs) | 304 req/s (CPU µs)"
        " | cached first page req/s (CPU µs) | p50 / p99 ms (first page) | /healthz, 304, first"
        " ÷ bare | contended: first page req/s, p50 / p99 ms | peak worker RSS MiB (bare)"
        " | SIGTERM under load: exit s, wrk errors | SIGHUP under load: answers after,"
        " workers replaced, non-2xx, wrk errors |",
        "|---|---:|---:|---:|---:|---|---|---|---:|---|---|",
    ]
    for row in rows:
        e = row["endpoints"]
        cell = {name: f"{r['rps']:,.0f} ({r['cpu_us']})" for name, r in e.items()}
        term, hup = row["sigterm"], row["sighup"]
        errors = {k: v for k, v in (term["errors"] or {}).items() if v}
        hup_errors = {k: v for k, v in (hup["errors"] or {}).items() if v}
        bad = sum(n for code, n in (hup["statuses"] or {}).items() if not code.startswith("2"))
        contended = row.get("contended", {}).get("first")
        busy = (
            f"{contended['rps']:,.0f}, {contended['p50_ms']:.1f} / {contended['p99_ms']:.1f}"
            if contended
            else "—"
        )
        lines.append(
            f"| {row['config']} | {cell['bare']} | {cell['ceiling']} | {cell['304']}"
            f" | {cell['first']} | {e['first']['p50_ms']:.1f} / {e['first']['p99_ms']:.1f}"
            f" | {e['ceiling']['ratio_bare']:.2f}, {e['304']['ratio_bare']:.2f},"
            f" {e['first']['ratio_bare']:.2f} | {busy}"
            f" | {row['peak_worker_rss_mib']} ({row['bare_peak_worker_rss_mib']})"
            f" | {term['exit_seconds']}, {errors or 'none'}"
            f" | {hup['answers_after']}, {hup['workers_replaced']}, {bad}, {hup_errors or 'none'} |"
        )
    return lines


if __name__ == "__main__":
    main()
