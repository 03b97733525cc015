"""The announcement bar (current and upcoming notices on one line) and a news post per
maintenance. The bar's markup is the same as annonces.js renders from the API."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any

from backend.trainings.present import day, hour, paris

SHOWN = ("maintenance", "incident")
SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
POSTS = "actualites/posts/"
CLOSE_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true" '
    'focusable="false"><path d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 '
    '6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"/></svg>'
)


def shown(announcements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the bar shows: maintenances and incidents, already in date order."""
    return [a for a in announcements if a["category"] in SHOWN]


def short_hour(moment: dt.datetime) -> str:
    """« 13 h », « 13 h 30 »."""
    local = paris(moment)
    return f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")


def short_day(moment: dt.datetime) -> str:
    """« 7 déc. », « 1er janv. »."""
    local = paris(moment)
    first = "1er" if local.day == 1 else str(local.day)
    return f"{first} {SHORT_MONTHS[local.month - 1]}"


def line_when(item: dict[str, Any]) -> str:
    """The window in a few characters: « 7 déc., 13 h – 15 h », « jusqu'à 15 h »."""
    start, end = item.get("window_starts_at"), item.get("window_ends_at")
    if not start or not end:
        return ""
    same_day = paris(start).date() == paris(end).date()
    if item.get("in_progress"):
        return f"jusqu'à {short_hour(end)}" if same_day else f"jusqu'au {_short(end)}"
    if same_day:
        return f"{_short(start)} – {short_hour(end)}"
    return f"{_short(start)} – {_short(end)}"


def _short(moment: dt.datetime) -> str:
    return f"{short_day(moment)}, {short_hour(moment)}"


def window(start: dt.datetime, end: dt.datetime) -> str:
    """« lundi 7 décembre 2026, de 13 h 00 à 15 h 00 »."""
    if paris(start).date() == paris(end).date():
        return f"{day(start)}, de {hour(start)} à {hour(end)}"
    return f"du {day(start)} à {hour(start)} au {day(end)} à {hour(end)}"


def detail_when(item: dict[str, Any]) -> str:
    start, end = item.get("window_starts_at"), item.get("window_ends_at")
    if start and end:
        return window(start, end) + " (heure de Paris)"
    return f"signalé le {day(item['published_at'])} à {hour(item['published_at'])}"


def label(item: dict[str, Any]) -> str:
    return item["category_label"] + (" en cours" if item.get("in_progress") else "")


def key(item: dict[str, Any]) -> str:
    """What a dismissal remembers: the notice, and its window (a moved one shows again)."""
    ends = [item.get("window_starts_at"), item.get("window_ends_at")]
    minutes = [str(int(m.timestamp()) // 60) if m else "" for m in ends]
    return ":".join([str(item["id"]), *minutes])


def post_url(item: dict[str, Any]) -> str:
    """The news post of a maintenance (the blog's « {date}/{slug} » URLs)."""
    return f"/actualites/{paris(item['published_at']):%Y/%m/%d}/maintenance-{item['id']}/"


def bar(items: list[dict[str, Any]]) -> str:
    """The whole bar: the soonest notice on one line, every notice in the disclosure."""
    if not items:
        return '<div class="relais-annonces" data-relais-annonces hidden></div>'
    first, others = items[0], len(items) - 1
    more = ""
    if others:
        words = f"et {others} autre{'s' if others > 1 else ''}"
        more = f'<span class="relais-annonces__autres">{words}</span>'
    when = line_when(first)
    text = (
        f"<strong>{escape(label(first))}</strong>"
        + (f" {escape(when)}" if when else "")
        + f"\u00a0: {escape(first['title'])}"
    )
    return (
        '<div class="relais-annonces" data-relais-annonces>'
        '<details class="relais-annonces__details">'
        '<summary class="relais-annonces__ligne" data-relais-maintenance>'
        f'<span class="relais-annonces__texte">{text}</span>{more}</summary>'
        f'<ul class="relais-annonces__liste">{"".join(_item(a) for a in items)}</ul>'
        "</details>"
        f'<button type="button" class="relais-annonces__fermer" data-masquer="{key(first)}" '
        f'title="Masquer cette annonce" hidden>{CLOSE_ICON}'
        f'<span class="relais-sr">Masquer l\'annonce « {escape(first["title"])} »</span>'
        "</button></div>"
    )


def _item(item: dict[str, Any]) -> str:
    title = escape(item["title"])
    body = "".join(
        f'<p class="relais-annonces__texte-long">{escape(part.strip())}</p>'
        for part in item.get("body", "").split("\n\n")
        if part.strip()
    )
    link = ""
    if item["category"] == "maintenance":
        link = (
            f'<a href="{post_url(item)}">Lire l\'actualité'
            f'<span class="relais-sr"> « {title} »</span></a> '
        )
    return (
        f'<li data-annonce="{key(item)}">'
        f"<p><strong>{escape(label(item))}</strong> — {escape(detail_when(item))}</p>"
        f'<p class="relais-annonces__titre">{title}</p>{body}'
        f'<p class="relais-annonces__actions">{link}'
        f'<button type="button" class="relais-annonces__masquer" data-masquer="{key(item)}" '
        f'hidden>Masquer cette annonce<span class="relais-sr"> « {title} »</span></button></p>'
        "</li>"
    )


def post(item: dict[str, Any]) -> str:
    """A maintenance as a news post of the Maintenance category: same window, same text."""
    published = paris(item["published_at"]).replace(tzinfo=None, microsecond=0)
    when = window(item["window_starts_at"], item["window_ends_at"])
    front = {
        "slug": f"maintenance-{item['id']}",
        "categories": ["Maintenance"],
        "description": f"{item['title']} — {when} (heure de Paris).",
    }
    # The date stays a bare YAML timestamp (Paris time): the blog reads it as a datetime.
    lines = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items())]
    lines.insert(2, f"date: {published.isoformat(sep=' ')}")
    body = escape(item.get("body", "").strip(), quote=False)
    return "\n".join(
        [
            *lines,
            "---",
            "",
            f"# {_heading(item['title'])}",
            "",
            f"**Quand\u00a0:** {when} (heure de Paris).",
            "",
            "<!-- more -->",
            "",
            body,
            "",
        ]
    )


def post_uri(item: dict[str, Any]) -> str:
    return f"{POSTS}maintenance-{item['id']}.md"


def _heading(text: str) -> str:
    """A title inside a Markdown heading: no markup, no attribute list."""
    return "".join(f"&#{ord(c)};" if c in "\\`*_{}[]<>&#" else c for c in text)
