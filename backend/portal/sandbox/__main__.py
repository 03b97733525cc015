"""python -m backend.portal.sandbox [--port N] [--store FILE] [--seed N] [--invoices N] [--demo]"""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from backend.portal.sandbox.clock import real_clock
from backend.portal.sandbox.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Bac à sable du portail de facturation")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--store", default=None, help="fichier SQLite (défaut : en mémoire)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--suppliers", type=int, default=3, help="fournisseurs (3 : la démo)")
    parser.add_argument("--demo", action="store_true", help="fait évoluer quelques factures")
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument(
        "--history-lag", type=float, default=0.0,
        help="l'historique semé s'arrête ce nombre de secondes avant le démarrage",
    )  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="sans journal des requêtes")
    parser.add_argument(
        "--wire", choices=["current", "legacy"], default="current",
        help="graphie des réponses : celle du portail d'aujourd'hui, ou l'ancienne",
    )  # fmt: skip
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    if args.quiet:  # benchmarks: one log line per request costs the sandbox's CPU
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    seeded_until = real_clock() - dt.timedelta(seconds=args.history_lag)
    serve(args.host, args.port, store_path=args.store, seed=args.seed, invoices=args.invoices,
          suppliers=args.suppliers, demo=args.demo, demo_interval=args.interval,
          seeded_until=seeded_until, wire=args.wire)  # fmt: skip


if __name__ == "__main__":
    main()
