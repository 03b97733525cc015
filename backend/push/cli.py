"""`relais push …`: look at dead letters and put one back in the queue."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from backend.db import unit_of_work, utcnow
from backend.push import admin


@click.group()
def push() -> None:
    """Notifications push."""


@push.command("dead-letters")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@with_appcontext
def dead_letters(limit: int) -> None:
    """Lister les envois abandonnés, du plus récent au plus ancien."""
    with unit_of_work() as session:
        rows = admin.dead_letters(session, limit)
    if not rows:
        click.echo("Aucun envoi abandonné.")
    for row in rows:
        click.echo(
            f"n° {row['id']}  {row['created_at']:%Y-%m-%d %H:%M}  {row['platform']} {row['token']}"
            f"  {row['attempts']} tentative(s)  « {row['title']} »\n"
            f"  dernière erreur : {row['last_error'] or '—'}"
        )


@push.command("retry")
@click.argument("delivery_id", type=int)
@with_appcontext
def retry(delivery_id: int) -> None:
    """Remettre en file un envoi abandonné."""
    try:
        with unit_of_work() as session:
            found = admin.retry(session, delivery_id, utcnow())
            if found is None:
                raise click.ClickException(f"Envoi n° {delivery_id} introuvable.")
    except admin.NotDead as exc:
        raise click.ClickException(
            f"L'envoi n° {delivery_id} n'est pas abandonné (état : {exc})."
        ) from exc
    click.echo(f"Envoi n° {delivery_id} remis en file.")
