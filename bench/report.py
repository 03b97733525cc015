"""Targets, and a run written as JSON and as a Markdown table under bench/results/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.floor import bound

LABELS = {
    "bare": "bare Flask `GET /ping` (ceiling)",
    "ceiling": "`GET /healthz` (ceiling)",
    "first": "list, first page",
    "filtered": "list, `status=SUSPENDUE`",
    "deep": "list, deep page (cursor)",
    "detail": "invoice detail",
    "summary": "Synthèse",
    "dashboard": "Tableau de bord",
    "304": "revalidation (`If-None-Match`, 304)",
}
READS = ["first", "filtered", "deep", "detail", "summary", "dashboard"]


def check_targets(
    warm: dict[str, Any], cold: dict[str, Any], targets: dict[str, float]
) -> list[dict[str, Any]]:
    """One row per target and endpoint: the measured value and whether it is met."""
    rows = []

    def add(name: str, endpoint: str, value: float, goal: float, at_least: bool) -> None:
        ok = value >= goal if at_least else value <= goal
        rows.append(
            {
                "target": name,
                "endpoint": endpoint,
                "value": round(value, 3),
                "goal": ("≥ " if at_least else "≤ ") + str(goal),
                "met": ok,
            }
        )

    add(
        "304 revalidation / ceiling",
        "304",
        warm["endpoints"]["304"]["ratio"],
        targets["revalidation"],
        True,
    )
    for name in READS:
        add(
            "repeated full read / ceiling",
            name,
            warm["endpoints"][name]["ratio"],
            targets["warm"],
            True,
        )
    for name in READS:
        add(
            "cold read (caches off) / ceiling",
            name,
            cold["endpoints"][name]["ratio"],
            targets["cold"],
            True,
        )
    for phase, results in (("cache on", warm), ("cache off", cold)):
        for name, result in results["endpoints"].items():
            if name == "bare":  # Relais' own lines only, as before the bare ceiling
                continue
            spread = result["p99_ms"] / max(result["p50_ms"], 0.001)
            add(f"p99 / p50 ({phase})", name, spread, targets["p99_over_p50"], False)
    return rows


def check_bare_targets(
    warm: dict[str, Any], cold: dict[str, Any], targets: dict[str, float]
) -> list[dict[str, Any]]:
    """The targets against the bare Flask app served by the same server (runs that have it)."""
    if "bare" not in warm["endpoints"]:
        return []
    rows = []

    def add(name: str, endpoint: str, value: float, goal: float, at_least: bool) -> None:
        ok = value >= goal if at_least else value <= goal
        sign = "≥ " if at_least else "≤ "
        rows.append(
            {
                "target": name,
                "endpoint": endpoint,
                "value": round(value, 3),
                "goal": sign + str(goal),
                "met": ok,
            }
        )

    on, off = warm["endpoints"], cold["endpoints"]
    add("/ bare Flask", "ceiling", on["ceiling"]["ratio_bare"], targets["ceiling"], True)
    add("/ bare Flask", "304", on["304"]["ratio_bare"], targets["revalidation"], True)
    add("/ bare Flask (caches on)", "first", on["first"]["ratio_bare"], targets["first"], True)
    for name in READS:
        add("cold read / bare Flask", name, off[name]["ratio_bare"], targets["cold"], True)
    for phase, results in (("cache on", on), ("cache off", off)):
        for name, result in results.items():
            spread = result["p99_ms"] / max(result["p50_ms"], 0.001)
            add(f"p99 / p50 ({phase}), strict", name, spread, targets["p99_over_p50"], False)
    return rows


def _endpoint_table(phase: dict[str, Any]) -> list[str]:
    endpoints = phase["endpoints"]
    bare = "bare" in endpoints
    lines = [
        "| Endpoint | req/s | ratio to `/healthz` |"
        + (" ratio to bare Flask |" if bare else "")
        + " p50 ms | p95 ms | p99 ms | KiB/resp | CPU µs/req: server | PostgreSQL | wrk |",
        "|---|---:|---:|" + ("---:|" if bare else "") + "---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in endpoints.items():
        lines.append(
            f"| {LABELS[name]} | {r['rps']:,.0f} | {r['ratio']:.2f} |"
            + (f" {r['ratio_bare']:.2f} |" if bare else "")
            + f" {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f}"
            f" | {r['kib_per_response']} | {r.get('cpu_us', '–')} | {r.get('pg_us', '–')}"
            f" | {r.get('wrk_us', '–')} |"
        )
    for name in ("bare", "ceiling"):
        ceiling = endpoints.get(name, {})
        if "rps_end" in ceiling:
            lines += [
                "",
                f"{LABELS[name]} ran first ({ceiling['rps_start']:,.0f} req/s) and last"
                f" ({ceiling['rps_end']:,.0f} req/s); ratios are to their mean.",
            ]
    return lines


def sweep_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["(worker sweep not run)"]
    lines = [
        "| server | workers × threads | bare Flask req/s | ceiling req/s | 304 req/s"
        " | cold list req/s | cold dashboard req/s | list p99 ms | ceiling CPU µs/req"
        " | peak worker RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        e = row["endpoints"]
        bare = f"{e['bare']['rps']:,.0f}" if "bare" in e else "–"
        lines.append(
            f"| {row['worker_class']} | {row['workers']} × {row['threads']} | {bare}"
            f" | {e['ceiling']['rps']:,.0f} | {e['304']['rps']:,.0f} | {e['first']['rps']:,.0f}"
            f" | {e['dashboard']['rps']:,.0f} | {e['first']['p99_ms']:.1f}"
            f" | {e['ceiling'].get('cpu_us', '–')} | {row['peak_worker_rss_mib']} |"
        )
    return lines


def markdown(run: dict[str, Any]) -> str:
    m, d, load = run["machine"], run["dataset"], run["load"]
    plan = d["plan"]
    g = load["server"]
    out = [
        f"# Relais API benchmark — {run['started_at']}{' (quick)' if run['quick'] else ''}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM; Linux {m['kernel']};"
        f" Python {m['python']}; PostgreSQL {m['postgresql']}; granian {m['granian']};"
        f" {m['wrk']}. Code: {m.get('commit', 'unknown')}. Load average at the start:"
        f" {m.get('load_average_at_start', '?')}, at the end: {m.get('load_average_at_end', '?')}.",
        "",
        f"Data: {plan['structures']:,} structures, {plan['users']:,} users,"
        f" {plan['invoices']:,} invoices ({plan['big_invoices']:,} for the big supplier),"
        f" {d['status_changes']:,} status changes; {d['database_bytes'] / 2**20:,.0f} MiB;"
        f" generated in {d['seconds']} s (seed {plan['seed']}).",
        "",
        f"Load: wrk on loopback, {load['connections']} connections,"
        f" {load['seconds_per_endpoint']} s per endpoint after {load['warmup_seconds']} s of"
        f" warm-up, {load['users']} users (the big supplier's in {load['big_supplier_share']}"
        " of requests), `Accept-Encoding: gzip`."
        f" Server: {g['server']} (`backend/serve.py`), {g['workers']} workers ×"
        f" {g['threads']} thread{'s' if g['threads'] != 1 else ''} each, access log on.",
        "",
        "## Repeated reads, caches on (`RESPONSE_CACHE=1`, `AUTH_CACHE=1`, as in production)",
        "",
        *_endpoint_table(run["phases"]["cache_on"]),
        "",
        _rss(run["phases"]["cache_on"]),
        "",
        "## Cold reads, every cache off (`RESPONSE_CACHE=0`, `AUTH_CACHE=0`, no `If-None-Match`)",
        "",
        *_endpoint_table(run["phases"]["cache_off"]),
        "",
        _rss(run["phases"]["cache_off"]),
        "",
        *_floor(run["phases"]["cache_off"], m["cores"]),
        "## Targets",
        "",
        "| Target | Endpoint | Measured | Goal | Met |",
        "|---|---|---:|---|---|",
    ]
    for t in run["targets"]:
        out.append(
            f"| {t['target']} | {LABELS[t['endpoint']]} | {t['value']:.2f} | {t['goal']}"
            f" | {'yes' if t['met'] else '**no**'} |"
        )
    out += [
        "",
        "## Workers and threads (response cache off, authentication cache on)",
        "",
        *sweep_table(run["worker_sweep"]),
        "",
    ]
    for name, value in run["sections"].items():
        out += [f"## {SECTION_TITLES.get(name, name)}", "", *_section(value), ""]
    return "\n".join(out)


def _floor(phase: dict[str, Any], cores: int) -> list[str]:
    """What a cold first page costs any implementation (`bench/floor.py`), and the most cold
    pages the machine could then serve."""
    found, endpoints = phase.get("floor"), phase["endpoints"]
    if not found or "bare" not in endpoints:
        return []
    bare, first = endpoints["bare"], endpoints["first"]
    most = bound(found, bare, first, cores)
    return [
        f"Floor of a cold first page, in process (`bench/floor.py`): its {found['statements']}"
        f" statements through psycopg {found['statements_us']} µs, its JSON"
        f" ({found['body_bytes']:,} bytes, orjson) {found['json_us']} µs, gzip level"
        f" {found['gzip_level']} {found['gzip_us']} µs: {found['sum_us']} µs. With the bare"
        f" app's {bare['cpu_us']} µs under the server, PostgreSQL's {first['pg_us']} µs and"
        f" wrk's {first['wrk_us']} µs per cold first page, {cores} cores serve at most"
        f" {most * bare['rps']:,.0f} cold pages a second if nothing else cost anything:"
        f" **{most:.2f}** of the bare app.",
        "",
    ]


def _rss(phase: dict[str, Any]) -> str:
    text = f"Peak RSS of one web worker: {phase['peak_worker_rss_mib']} MiB"
    if "bare_peak_worker_rss_mib" in phase:
        text += f" (bare Flask: {phase['bare_peak_worker_rss_mib']} MiB)"
    return text + "."


SECTION_TITLES = {
    "push": "Push: status change to FCM request (`bench/push_bench.py`)",
    "sync": "Portal sync from the sandbox (`bench/sync_bench.py`)",
    "sync_fleet": "Sync at national scale: sync workers (`bench/sync_fleet.py`)",
}


def _section(value: dict[str, Any] | None) -> list[str]:
    """A measured section as a two-column table; its targets, if any, first."""
    if value is None:
        return ["Not measured (hook in `bench/sections.py`)."]
    if "error" in value:
        return [f"**Failed**: {value['error']}"]
    lines = []
    if "met_notifications_per_second" in value:
        lines += [
            "| Target | Measured | Goal | Met |",
            "|---|---:|---|---|",
            f"| notifications per second | {value['notifications_per_second']:,.0f}"
            f" | {value['target_notifications_per_second']}"
            f" | {'yes' if value['met_notifications_per_second'] else '**no**'} |",
            f"| delay commit → FCM request, p99 ms | {value['p99_delay_ms']:,.0f}"
            f" | {value['target_p99_delay_ms']}"
            f" | {'yes' if value['met_p99_delay'] else '**no**'} |",
            "",
        ]
    lines += ["| Measure | Value |", "|---|---:|"]
    for key, item in value.items():
        if key.startswith(("met_", "target_")):
            continue
        shown = (
            f"{item:,}" if isinstance(item, int | float) and not isinstance(item, bool) else item
        )
        lines.append(f"| {key.replace('_', ' ')} | {shown} |")
    return lines


def write(run: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = run["started_at"].replace(":", "").replace("+0000", "Z")
    path = folder / f"{stamp}.json"
    path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
    text = markdown(run)
    path.with_suffix(".md").write_text(text)
    (folder / "latest.md").write_text(text)
    print(f"\nWrote {path} and {path.with_suffix('.md')}\n\n{text}")
    return path
