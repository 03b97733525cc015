"""The `relais` command: migrations, demo data, API keys, and `run-all` for `make run`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from functools import partial

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from backend import create_app
from backend.config import Config
from backend.db import unit_of_work
from backend.push.cli import push
from backend.sync.cli import sync


def _config() -> Config:
    config: Config = current_app.extensions["relais_config"]
    return config


def _process_logging() -> None:
    """Logs of a long-running process: INFO lines with their time and source."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every portal and FCM call at INFO: 60,000 lines for one initial load.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _stopped_by_signals() -> threading.Event:
    """Set by SIGTERM or SIGINT: the process's loops end their work and return."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False)
def main() -> None:
    """Relais: suivi des factures publiques."""


main.add_command(sync)
main.add_command(push)


@main.command()
@with_appcontext
def migrate() -> None:
    """Apply the database migrations (alembic upgrade head)."""
    from backend.migrate import upgrade

    upgrade(_config().database_url)
    click.echo("Base de données à jour.")


@main.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Seed the demo data once (demo mode only)."""
    from backend.demo.seed import seed
    from backend.runner import sandbox_accounts

    if not _config().demo_mode:
        raise click.ClickException(
            "Données de démonstration refusées hors mode démo (RELAIS_DEMO=1)."
        )
    accounts = sandbox_accounts(_config())
    with unit_of_work() as session:
        created = seed(session, accounts, config=_config())
    click.echo("Données de démonstration créées." if created else "Démonstration déjà en place.")


@main.group("api-key")
def api_key() -> None:
    """Integration API keys."""


@api_key.command("create")
@click.option("--name", required=True, help="Nom du client d'intégration")
@click.option("--siret", "sirets", multiple=True, required=True, help="Structure autorisée")
@with_appcontext
def api_key_create(name: str, sirets: tuple[str, ...]) -> None:
    """Create a key scoped to structures; the key is printed once."""
    from backend.accounts.models import Structure
    from backend.integrations.service import create_api_key

    with unit_of_work() as session:
        structures = list(session.scalars(select(Structure).where(Structure.siret.in_(sirets))))
        missing = set(sirets) - {s.siret for s in structures}
        if missing:
            raise click.ClickException(f"Structure(s) inconnue(s) : {', '.join(sorted(missing))}")
        key, clear = create_api_key(session, name, structures)
        session.flush()
        key_id = key.id
    click.echo(f"Clé n° {key_id} créée. Conservez-la, elle ne sera plus affichée :\n{clear}")


@api_key.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def api_key_revoke(key_id: int) -> None:
    """Revoke a key by its number."""
    from backend.accounts.models import ApiKey
    from backend.integrations.service import revoke_api_key

    with unit_of_work() as session:
        key = session.get(ApiKey, key_id)
        if key is None:
            raise click.ClickException(f"Clé n° {key_id} introuvable.")
        revoke_api_key(session, key)
    click.echo(f"Clé n° {key_id} révoquée.")


@main.command()
@with_appcontext
def scheduler() -> None:
    """Run the scheduler process (jobs, push dispatcher); one is active at a time."""
    from backend.scheduler import registry
    from backend.scheduler.process import run_scheduler

    _process_logging()
    # Each run and each skipped overlap of a 2-second job is noise; our jobs log what matters.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs = registry.jobs(app.extensions["relais_config"])
    run_scheduler(app, jobs, partial(registry.background, app))


@main.command("push-dispatch")
@with_appcontext
def push_dispatch() -> None:
    """Run a push dispatcher on its own (the scheduler process runs one too)."""
    from backend.push.loop import dispatcher_loop
    from backend.scheduler.process import new_holder

    _process_logging()
    stop = _stopped_by_signals()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    dispatcher_loop(app, f"{new_holder()}:push")(stop)


@main.command("sync-worker")
@with_appcontext
def sync_worker() -> None:
    """Run a sync worker (SYNC_WORKERS=external): any number share the PostgreSQL database."""
    import os

    from backend.sync.workers import app_sessions, run_workers

    _process_logging()
    stop = _stopped_by_signals()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stuck = run_workers(app_sessions(app), _config(), stop)
    if stuck:
        # A call that `stop` cannot cut short (a portal that does not answer): its lease
        # runs out by itself and another worker takes the structure over.
        logging.getLogger(__name__).warning("sync worker stopped with %s running", stuck)
        logging.shutdown()
        os._exit(0)


@main.command("run-all")
@with_appcontext
def run_all() -> None:
    """Migrate, seed (demo), build the site and start every process (`make run`)."""
    from backend.runner import run

    sys.exit(run(_config()))


if __name__ == "__main__":
    main()
