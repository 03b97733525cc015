"""`relais sync …`: register a technical account, sync now, show the state."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from backend.accounts.models import Structure
from backend.config import Config
from backend.db import current_session
from backend.sync import service
from backend.sync.status import sync_status


def _config() -> Config:
    config: Config = current_app.extensions["relais_config"]
    return config


def _structure(siret: str) -> Structure:
    structure = current_session().scalar(select(Structure).where(Structure.siret == siret))
    if structure is None:
        raise click.ClickException(f"Aucune structure avec le SIRET {siret}.")
    return structure


@click.group()
def sync() -> None:
    """Synchronisation avec le portail."""


@sync.command("register")
@click.option("--siret", required=True)
@click.option("--login", required=True, help="Identifiant du compte technique")
@click.option("--password", prompt=True, hide_input=True, help="Mot de passe (demandé si absent)")
@click.option("--expires-on", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--interval", type=int, default=None, help="Intervalle en secondes")
@with_appcontext
def register(
    siret: str, login: str, password: str, expires_on: dt.datetime | None, interval: int | None
) -> None:
    """Enregistrer (ou remplacer) le compte technique d'une structure."""
    structure = _structure(siret)
    service.register_account(
        current_session(), structure, login, password,
        expires_on.date() if expires_on else None, config=_config(), interval_seconds=interval,
    )  # fmt: skip
    current_session().commit()
    click.echo(f"Compte technique enregistré pour {structure.name} ; synchronisation programmée.")


@sync.command("run")
@click.option("--siret", required=True)
@with_appcontext
def run(siret: str) -> None:
    """Synchroniser une structure maintenant."""
    structure = _structure(siret)
    result = service.sync_structure(current_session(), structure.id, config=_config())
    if result is None:
        raise click.ClickException("Une synchronisation de cette structure est déjà en cours.")
    click.echo(
        f"{result.status} : {result.invoices_seen} facture(s) vue(s), "
        f"{result.changes} changement(s), {result.errors} erreur(s) en {result.duration_ms} ms."
    )
    if result.error:
        raise click.ClickException(result.error)


@sync.command("status")
@click.option("--siret", default=None)
@with_appcontext
def status(siret: str | None) -> None:
    """Afficher l'état de synchronisation (toutes les structures par défaut)."""
    structures = [_structure(siret)] if siret else current_session().scalars(select(Structure))
    for structure in structures:
        state = sync_status(current_session(), structure.id)
        click.echo(f"{structure.siret}  {structure.name}\n  {state['message']}")
        account = state["technical_account"]
        if account and account["warning"]:
            click.echo(f"  ⚠ {account['warning']}")
