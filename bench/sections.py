"""Sections of a bench run that later work fills in: push notifications, portal sync and the
sync at national scale.

Each hook gets the run's context (database URL, base URL of a running server, quick flag)
and returns a dict of measured numbers for the report, or None while not implemented.
A None is reported as "not measured", never as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Context:
    database_url: str
    base_url: str
    quick: bool


def push(context: Context) -> dict[str, Any] | None:
    """Notifications per second through the push transport, and fan-out latency.

    `bench/push_bench.py`: status changes committed through `backend.invoices.service.record`,
    sent by `relais scheduler` through firebase-admin to a loopback FCM server (20–50 ms per
    call), in its own database (`relais_bench_push`); the API server is not used.
    """
    from bench import push_bench

    return push_bench.run(
        push_bench.settings_for(context.quick, push_bench.beside(context.database_url))
    )


def sync(context: Context) -> dict[str, Any] | None:
    """Portal synchronisation throughput: invoices and status changes synced per second.

    `bench/sync_bench.py`: the sandbox in its own process, `relais scheduler` syncing it into
    `relais_bench_sync` (initial load, then incremental), and the scheduler's peak RSS.
    A failure is reported as such rather than losing the rest of the run.
    """
    from bench import sync_bench

    url = context.database_url
    if not url.startswith("postgresql"):
        url = sync_bench.DEFAULT_URL
    try:
        return sync_bench.run(url, quick=context.quick)
    except Exception as exc:  # the load results of the run are kept
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


def sync_fleet(context: Context) -> dict[str, Any] | None:
    """Sync at national scale (issue 22): 10,000 structures every 5 minutes (2,000 every
    minute when quick) synced by 1, 2 and 4 `relais sync-worker` processes from a sandbox
    answering in 200 ± 100 ms; `bench/sync_fleet.py`. A failure is reported as such."""
    from bench import sync_bench, sync_fleet

    url = context.database_url
    if not url.startswith("postgresql"):
        url = sync_bench.DEFAULT_URL
    try:
        return sync_fleet.section(url, context.quick)
    except Exception as exc:  # the load results of the run are kept
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}


HOOKS = {"push": push, "sync": sync, "sync_fleet": sync_fleet}


def run_all(context: Context) -> dict[str, dict[str, Any] | None]:
    return {name: hook(context) for name, hook in HOOKS.items()}
