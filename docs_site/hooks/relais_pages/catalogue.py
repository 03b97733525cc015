"""The sessions catalogue, month by month."""

from __future__ import annotations

import re
from html import escape as _escape
from itertools import groupby
from typing import Any

from backend.trainings.present import MONTHS, day, hour, paris

SESSION_PAGE = "../session/"
# Characters Markdown would read as markup in a trainer's title.
MARKUP = {c: f"&#{ord(c)};" for c in "\\`*_{}[]"}
TIME = re.compile(r"\b\d{1,2} h(?: \d{2})?\b")


def escape(text: str) -> str:
    """Text between tags (never in an attribute): apostrophes stay readable in search."""
    return _escape(text, quote=False)


HEADER = """---
title: Calendrier des sessions
description: >-
  Les prochaines sessions de formation, mois par mois, avec les places restantes
  et l'inscription en ligne.
---

# Calendrier des sessions

Les sessions à venir, mois par mois. Les horaires sont à l'heure de Paris. Les places restantes
se mettent à jour en direct quand la page est ouverte. Pour ajouter toutes les sessions à votre
agenda et les voir évoluer, abonnez-vous au
<a href="/api/v1/trainings/calendar.ics">calendrier des formations (iCal)</a>.

Les formats sont présentés sur la page [Formations](index.md). Pour être prévenu des nouvelles
sessions, abonnez-vous à la [lettre d'information](../lettre-d-information/index.md).

"""


# Filled by catalogue.js (theme and month, from the live list); without it, every session shows.
FILTERS = '<div class="relais-filtres" data-relais-filtres hidden></div>\n'


def render(data: dict[str, Any] | None, note: str | None) -> str:
    trainings = (data or {}).get("trainings", [])
    body = [FILTERS, f'<div id="relais-catalogue" data-session-page="{SESSION_PAGE}" markdown>\n']
    if not trainings:
        message = note or "Aucune session n'est publiée pour le moment."
        body.append(
            f'<p class="relais-vide">{escape(message)} Revenez bientôt\u00a0: les formateurs '
            "publient leurs sessions chaque mois.</p>\n"
        )
    for (year, month), items in groupby(trainings, key=_month):
        body.append(f"## {MONTHS[month - 1].capitalize()} {year} {{#mois-{year}-{month:02d}}}\n")
        for training in items:
            body.append(f"### {_md(training['title'])} {{#session-{training['id']}}}\n")
            body.append(card(training) + "\n")
    body.append("</div>\n")
    return HEADER + "\n".join(body)


def _month(training: dict[str, Any]) -> tuple[int, int]:
    start = paris(training["starts_at"])
    return start.year, start.month


def when(part: dict[str, Any]) -> str:
    """« mardi 8 décembre 2026, 10 h 00 – 11 h 30 »."""
    start, end = part["starts_at"], part["ends_at"]
    return times_kept_whole(f"{day(start)}, {hour(start)} – {hour(end)}")


def times_kept_whole(text: str) -> str:
    """« 11 h 30 », « 1 h 30 » never split over two lines (non-breaking spaces)."""
    return TIME.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def seats_text(training: dict[str, Any]) -> str:
    left, capacity = training["seats_left"], training["capacity"]
    if training["registration_open"] and left > 0:
        plural = "s" if left > 1 else ""
        return f"{left} place{plural} restante{plural} sur {capacity}"
    if training["waiting_list_open"]:
        return "Complet\u00a0: liste d'attente ouverte"
    return "Complet" if left == 0 else "Inscriptions closes"


def card(training: dict[str, Any]) -> str:
    """The details of one session; the same markup as catalogue.js renders."""
    tid = training["id"]
    parts = training["parts"]
    if len(parts) == 1:
        dates = f"<dd>{escape(when(parts[0]))}</dd>"
    else:
        dates = "".join(f"<dd>Séance {p['position']}\u00a0: {escape(when(p))}</dd>" for p in parts)
    audiences = ", ".join(a["label"] for a in training["audiences"]) or "Tous publics"
    title = escape(training["title"])
    actions = []
    if training["registration_open"]:
        label = "S'inscrire" if training["seats_left"] > 0 else "Rejoindre la liste d'attente"
        actions.append(
            f'<a class="md-button md-button--primary" href="{SESSION_PAGE}?id={tid}">'
            f'{label}<span class="relais-sr"> à la session « {title} »</span></a>'
        )
    actions.append(
        f'<a class="md-button" href="/api/v1/trainings/{tid}/calendar.ics">'
        f'Ajouter à mon agenda<span class="relais-sr"> la session « {title} »</span> (iCal)</a>'
    )
    return (
        f'<div class="relais-session" data-training-id="{tid}">'
        f"<dl>"
        f"<dt>Format</dt><dd>{escape(times_kept_whole(training['format_label']))}</dd>"
        f"<dt>Date</dt>{dates}"
        f"<dt>Public</dt><dd>{escape(audiences)}</dd>"
        f"<dt>Formateur</dt><dd>{escape(training['trainer_name'])}</dd>"
        f'<dt>Places</dt><dd class="relais-places">{escape(seats_text(training))}</dd>'
        f"</dl>"
        f'<p class="relais-actions">{" ".join(actions)}</p>'
        f"</div>"
    )


def _md(text: str) -> str:
    """A title inside a Markdown heading: no markup, no attribute list."""
    return "".join(MARKUP.get(char, char) for char in escape(text))
