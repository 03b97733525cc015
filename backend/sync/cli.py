"""`relais sync …`: register a technical account, sync now, show the state."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.models import Structure
from backend.config import Config
from backend.db import unit_of_work
from backend.sync import service
from backend.sync.accounts import register_account
from backend.sync.status import sync_status


def _config() -> Config:
    config: Config = current_app.extensions["relais_config"]
    return config


def _structure(session: Session, siret: str) -> Structure:
    structure = session.scalar(select(Structure).where(Structure.siret == siret))
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
    with unit_of_work() as session:
        structure = _structure(session, siret)
        register_account(
            session, structure, login, password,
            expires_on.date() if expires_on else None, config=_config(), interval_seconds=interval,
        )  # fmt: skip
        name = structure.name
    click.echo(f"Compte technique enregistré pour {name} ; synchronisation programmée.")


@sync.command("run")
@click.option("--siret", required=True)
@with_appcontext
def run(siret: str) -> None:
    """Synchroniser une structure maintenant."""
    with unit_of_work() as session:
        structure_id = _structure(session, siret).id
    with unit_of_work() as session:
        result = service.sync_structure(session, structure_id, config=_config())
        if result is None:
            raise click.ClickException("Une synchronisation de cette structure est déjà en cours.")
        click.echo(
            f"{result.status} : {result.invoices_seen} facture(s) vue(s), {result.changes} "
            f"changement(s), {result.errors} erreur(s) en {result.duration_ms} ms."
        )
        error = result.error
    if error:
        raise click.ClickException(error)


@sync.command("status")
@click.option("--siret", default=None)
@with_appcontext
def status(siret: str | None) -> None:
    """Afficher l'état de synchronisation (toutes les structures par défaut)."""
    with unit_of_work() as session:
        structures = [_structure(session, siret)] if siret else session.scalars(select(Structure))
        for structure in structures:
            state = sync_status(session, structure.id)
            click.echo(f"{structure.siret}  {structure.name}\n  {state['message']}")
            account = state["technical_account"]
            if account and account["warning"]:
                click.echo(f"  ⚠ {account['warning']}")
