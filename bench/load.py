"""Load the API with wrk, endpoint by endpoint, and compare each to the trivial endpoint.

    python -m bench.load            # full run (about 25 minutes), writes bench/results/
    BENCH_QUICK=1 python -m bench.load

Each server run measures `/healthz` (the ceiling), each endpoint at the same fixed
concurrency, then the ceiling again; ratios are throughputs relative to the mean of the two
ceiling runs of that server.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import cpu, dataset, floor, generate, report, sections
from bench.server import ROOT, Server

LUA = ROOT / "bench" / "wrk" / "rotate.lua"
RESULTS = ROOT / "bench" / "results"
API = "/api/v1"
BIG_SHARE = 10  # one request in ten is the big supplier's
SERVER_ENV = {
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
    "ACCESS_TOKEN_TTL": "14400",
    "LOGIN_RATE_LIMIT": "100000 per minute",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
    "WEB_ACCESS_LOG": "-",
}
TARGETS = {"revalidation": 0.8, "warm": 0.5, "cold": 0.2, "p99_over_p50": 4.0}
# Against the bare Flask app under the same server (issue 20).
BARE_TARGETS = {
    "ceiling": 0.9,
    "revalidation": 0.8,
    "first": 0.7,
    "cold": 0.25,
    "p99_over_p50": 3.0,
}
# The two ceilings, measured first and last in each server run: a bare Flask app under the
# same server and settings (what the server and Flask cost), and Relais' own `/healthz`.
BARE_APP = "bench.bare:app"
CEILINGS = {"bare": [("/ping", "", "")], "ceiling": [("/healthz", "", "")]}


@dataclass
class Settings:
    database_url: str
    quick: bool
    duration: int
    warmup: int
    connections: int
    users: int
    deep_pages: int
    port: int
    sweep: bool
    only: list[str] = field(default_factory=list)
    only_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Prepared:
    """Request lines per endpoint: (path, token, etag)."""

    lines: dict[str, list[tuple[str, str, str]]]
    users: int


def _login(client: httpx.Client, uid: int) -> str:
    body = {"email": dataset.email(uid), "password": dataset.BENCH_PASSWORD}
    response = client.post(f"{API}/auth/login", json=body)
    response.raise_for_status()
    return str(response.json()["access_token"])


def _walk(client: httpx.Client, token: str, pages: int) -> dict[str, Any]:
    """First page (ETag, a few ids) and the cursor `pages` pages deep, as the phone scrolls."""
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get(f"{API}/invoices", headers=headers)
    first.raise_for_status()
    body = first.json()
    ids = [item["id"] for item in body["items"][:5]]
    cursor = None
    page = body
    for _ in range(pages):
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
        page = client.get(f"{API}/invoices", params={"cursor": cursor}, headers=headers).json()
    return {"etag": first.headers["ETag"], "ids": ids, "cursor": cursor, "total": body["total"]}


def prepare(base: str, settings: Settings, plan: dataset.Plan) -> Prepared:
    """Log a sample of users in (the big supplier's first) and record what they will ask."""
    rng = random.Random(plan.seed)
    uids = [1, *rng.sample(range(3, plan.users + 1), settings.users - 1)]
    lines: dict[str, list[tuple[str, str, str]]] = {
        k: [] for k in ("first", "filtered", "deep", "detail", "summary", "dashboard", "304")
    }
    with httpx.Client(base_url=base, timeout=60) as client:
        for uid in uids:
            token = _login(client, uid)
            deep = settings.deep_pages * (5 if uid == 1 else 1)
            seen = _walk(client, token, deep)
            if not seen["ids"]:
                continue
            copies = max(1, settings.users // BIG_SHARE) if uid == 1 else 1
            for _ in range(copies):
                lines["first"].append((f"{API}/invoices", token, ""))
                lines["filtered"].append((f"{API}/invoices?status=SUSPENDUE", token, ""))
                cursor = seen["cursor"]
                deep_path = f"{API}/invoices?cursor={cursor}" if cursor else f"{API}/invoices"
                lines["deep"].append((deep_path, token, ""))
                lines["summary"].append((f"{API}/summary", token, ""))
                lines["dashboard"].append((f"{API}/dashboard", token, ""))
                lines["304"].append((f"{API}/invoices", token, seen["etag"]))
                for invoice_id in seen["ids"]:
                    lines["detail"].append((f"{API}/invoices/{invoice_id}", token, ""))
    for entries in lines.values():
        rng.shuffle(entries)
    return Prepared(lines, len(uids))


def wrk(
    base: str, path: str, entries: list[tuple[str, str, str]], seconds: int, conns: int
) -> dict[str, Any]:
    """One wrk run over the rotating request lines; returns its BENCH_JSON summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.writelines(f"{p}\t{t}\t{e}\n" for p, t, e in entries)
    command = [
        "wrk",
        "-t1",
        f"-c{conns}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base + path,
        "--",
        handle.name,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(handle.name)
    # wrk's own CPU (it has exited and been waited for; the servers, still running, are not
    # counted yet): the load generator's share of the two cores.
    wrk_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / seconds_run, 1),
        "requests": raw["requests"],
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "statuses": raw["statuses"],
        "errors": raw["errors"],
        "kib_per_response": round(raw["bytes"] / max(1, raw["requests"]) / 1024, 2),
        "wrk_us": round(wrk_seconds / max(1, raw["requests"]) * 1e6),
    }


def measure(
    servers: dict[str, Server],
    prepared: Prepared,
    names: list[str],
    settings: Settings,
    meter: cpu.CpuMeter,
) -> dict[str, Any]:
    """Both ceilings, each endpoint, then both ceilings again: warm-up, then a fixed-length run.

    This machine's speed drifts by up to a fifth within minutes (a shared VM): an endpoint
    measured three minutes after a single ceiling run would carry that drift in its ratio.
    Ratios are to the mean of the two runs of each ceiling, both kept (`rps_start`,
    `rps_end`): `/healthz` (`ratio`) and the bare Flask app's `/ping` served by the same
    server with the same settings (`ratio_bare`). CPU per request is read from /proc around
    each run: the server's workers, and PostgreSQL's backends.
    """
    results: dict[str, Any] = {}
    for name in [*CEILINGS, *names, *reversed(CEILINGS)]:
        server = servers["bare" if name == "bare" else "relais"]
        entries = CEILINGS.get(name) or prepared.lines[name]
        if settings.warmup:
            wrk(server.base, entries[0][0], entries, settings.warmup, settings.connections)
        before = meter.sample(server.pids)
        result = wrk(server.base, entries[0][0], entries, settings.duration, settings.connections)
        workers, postgres = cpu.spent(before, meter.sample(server.pids))
        result["cpu_us"] = round(workers / max(1, result["requests"]) * 1e6)
        result["pg_us"] = round(postgres / max(1, result["requests"]) * 1e6)
        if name in CEILINGS and name in results:
            start = results[name]
            start |= {"rps_start": start["rps"], "rps_end": result["rps"]}
            start["rps"] = round((start["rps_start"] + result["rps"]) / 2, 1)
            for key in ("cpu_us", "pg_us", "wrk_us"):
                start[key] = round((start[key] + result[key]) / 2)
        else:
            results[name] = result
        print(
            f"    {name:<10} {result['rps']:>8.0f} req/s  p50 {result['p50_ms']:.1f} ms"
            f"  p99 {result['p99_ms']:.1f} ms  CPU {result['cpu_us']} µs"
            f" + PG {result['pg_us']} µs + wrk {result['wrk_us']} µs  {result['statuses']}",
            flush=True,
        )
    ceiling, bare = results["ceiling"]["rps"], results["bare"]["rps"]
    for result in results.values():
        result["ratio"] = round(result["rps"] / ceiling, 3)
        result["ratio_bare"] = round(result["rps"] / bare, 3)
    print(
        f"    ratios to /healthz ({ceiling:.0f} req/s) | to bare /ping ({bare:.0f} req/s): "
        + ", ".join(
            f"{name} {r['ratio']:.2f}|{r['ratio_bare']:.2f}"
            for name, r in results.items()
            if name not in CEILINGS
        ),
        flush=True,
    )
    return results


ENDPOINTS = ["first", "filtered", "deep", "detail", "summary", "dashboard"]


def fresh_etags(base: str, prepared: Prepared) -> Prepared:
    """The revalidation lines with today's ETags: an answer's ETag changes at midnight in
    Paris (deadlines count days), and a long run can cross it."""
    current: dict[tuple[str, str], str] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for path, token, _ in prepared.lines["304"]:
            if (path, token) not in current:
                answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
                answer.raise_for_status()
                current[(path, token)] = answer.headers["ETag"]
    lines = [(p, t, current[(p, t)]) for p, t, _ in prepared.lines["304"]]
    return Prepared(prepared.lines | {"304": lines}, prepared.users)


def run_phase(
    label: str,
    env: dict[str, str],
    names: list[str],
    settings: Settings,
    prepared: Prepared | None,
    plan: dataset.Plan,
) -> tuple[dict[str, Any], Prepared]:
    print(f"  {label}: {env}", flush=True)
    full_env = SERVER_ENV | {"DATABASE_URL": settings.database_url} | env
    bare_env = full_env | {"BENCH_WSGI_APP": env.get("BENCH_BARE_APP", BARE_APP)}
    is_pg = settings.database_url.startswith("postgresql")
    conninfo = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    meter = cpu.CpuMeter(conninfo if is_pg else None)
    with (
        Server(settings.port, full_env, label) as server,
        Server(settings.port + 1, bare_env, f"{label}-bare", probe="/ping") as bare,
    ):
        if prepared is None:
            prepared = prepare(server.base, settings, plan)
        elif "304" in names:
            prepared = fresh_etags(server.base, prepared)
        try:
            results = measure({"relais": server, "bare": bare}, prepared, names, settings, meter)
        finally:
            meter.close()
        bare_rss = bare.summary()["peak_worker_rss_mib"]
        summary = server.summary() | {"bare_peak_worker_rss_mib": bare_rss}
        return {"env": env, "endpoints": results, **summary}, prepared


def worker_sweep(
    settings: Settings, prepared: Prepared, plan: dataset.Plan
) -> list[dict[str, Any]]:
    """The server's workers and threads: the ceiling, 304 and two computed reads.

    The response cache is off, so the list and the dashboard are computed; the
    authentication cache is on, as in production, so a 304 costs no query.
    """
    configs = [
        ("granian", n, t) for n, t in ((1, 2), (2, 1), (2, 2), (2, 4), (3, 2), (4, 1), (4, 2))
    ]
    if settings.quick:
        configs = [("granian", 2, 1), ("granian", 2, 2), ("granian", 4, 1)]
    rows = []
    short = Settings(**{**settings.__dict__, "duration": max(3, settings.duration // 2)})
    for kind, workers, threads in configs:
        env = {
            "WEB_WORKERS": str(workers),
            "WEB_THREADS": str(threads),
            "RESPONSE_CACHE": "0",
            "AUTH_CACHE": "1",
        }
        phase, _ = run_phase(
            f"sweep-{kind}-{workers}x{threads}",
            env,
            ["304", "first", "dashboard"],
            short,
            prepared,
            plan,
        )
        rows.append({"worker_class": kind, "workers": workers, "threads": threads, **phase})
    return rows


def machine(settings: Settings) -> dict[str, Any]:
    def cpu_model() -> str:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
        return "unknown"

    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    pg = subprocess.run(
        [
            "psql",
            generate.DEFAULT_URL.rsplit("/", 1)[0] + "/postgres",
            "-tAc",
            "SHOW server_version",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    wrk_version = "wrk " + (banner[1].split("/")[-1].split("-")[0] if len(banner) > 1 else "?")
    import platform

    import granian

    commit = (
        os.environ.get("BENCH_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    return {
        "commit": commit or "unknown",
        # Other processes on the machine weigh on every number: recorded with each run.
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "postgresql": pg,
        "granian": granian.__version__,
        "wrk": wrk_version,
        "kernel": platform.release(),
    }


def parse_args(argv: list[str] | None = None) -> Settings:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_URL)
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--duration", type=int)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument(
        "--only", help="comma-separated endpoints, printed only (profiling, what-ifs)"
    )
    parser.add_argument("--cache", default="0", help="RESPONSE_CACHE for --only")
    parser.add_argument("--auth-cache", default="0", help="AUTH_CACHE for --only")
    parser.add_argument("--app", default="backend.wsgi:app", help="WSGI app for --only")
    parser.add_argument(
        "--bare", default=BARE_APP, help="the second ceiling's app for --only (bench.bare:headed)"
    )
    args = parser.parse_args(argv)
    return Settings(
        database_url=args.database_url,
        quick=args.quick,
        duration=args.duration or (5 if args.quick else 20),
        warmup=2 if args.quick else 3,
        connections=args.connections,
        users=30 if args.quick else 100,
        deep_pages=4 if args.quick else 10,
        port=args.port,
        sweep=not args.no_sweep,
        only=args.only.split(",") if args.only else [],
        only_env={
            "RESPONSE_CACHE": args.cache,
            "AUTH_CACHE": args.auth_cache,
            "BENCH_WSGI_APP": args.app,
            "BENCH_BARE_APP": args.bare,
        },
    )


def main(argv: list[str] | None = None) -> None:
    settings = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")
    plan = dataset.FULL
    data = generate.ensure(settings.database_url, plan)
    if settings.only:
        run_phase("only", settings.only_env, settings.only, settings, None, plan)
        return
    started = dt.datetime.now(dt.UTC)
    load_at_start = [round(x, 1) for x in os.getloadavg()]
    print(
        f"Load: {settings.connections} connections, {settings.duration} s per endpoint", flush=True
    )
    warm, prepared = run_phase(
        "cache-on",
        {"RESPONSE_CACHE": "1", "AUTH_CACHE": "1"},
        [*ENDPOINTS, "304"],
        settings,
        None,
        plan,
    )
    cold, _ = run_phase(
        "cache-off", {"RESPONSE_CACHE": "0", "AUTH_CACHE": "0"}, ENDPOINTS, settings, prepared, plan
    )
    if settings.database_url.startswith("postgresql"):
        cold["floor"] = floor.run_apart(settings.database_url)
    sweep = worker_sweep(settings, prepared, plan) if settings.sweep else []
    context = sections.Context(
        settings.database_url, f"http://127.0.0.1:{settings.port}", settings.quick
    )
    run = {
        "started_at": started.isoformat(timespec="seconds"),
        "quick": settings.quick,
        "machine": machine(settings) | {"load_average_at_start": load_at_start},
        "dataset": data,
        "load": {
            "tool": "wrk",
            "connections": settings.connections,
            "seconds_per_endpoint": settings.duration,
            "warmup_seconds": settings.warmup,
            "users": prepared.users,
            "big_supplier_share": f"1/{BIG_SHARE}",
            "server": server_settings(),
        },
        "phases": {"cache_on": warm, "cache_off": cold},
        "targets": report.check_targets(warm, cold, TARGETS)
        + report.check_bare_targets(warm, cold, BARE_TARGETS),
        "worker_sweep": sweep,
        "sections": sections.run_all(context),
    }
    report.write(run, RESULTS)


def server_settings() -> dict[str, Any]:
    """What `backend/serve.py` gives in this environment (WEB_* variables override it)."""
    import granian

    from backend import serve

    wanted = serve.settings()
    return {
        "server": f"granian {granian.__version__}",
        "workers": wanted["workers"],
        "threads": wanted["threads"],
        "access_log": wanted["access_log"] or "off",
    }


if __name__ == "__main__":
    main()
