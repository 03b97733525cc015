"""An RSS 2.0 feed of the blog posts (rss.xml), built from their front matter.

The feed sits at the site's root: Material's scripts look for a `sitemap.xml` beside every
`<link rel="alternate">` of a page, and only the root has one (a feed in actualites/ made every
page request a missing actualites/sitemap.xml).
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import format_datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

log = logging.getLogger("mkdocs.hooks.rss")

POSTS = "actualites/posts/"
FEED = "rss.xml"
PARIS = ZoneInfo("Europe/Paris")
_posts: list[dict] = []


def on_pre_build(config):
    _posts.clear()


def on_page_context(context, page, config, nav):
    """Collect each post once it is rendered: its final URL and title are known then."""
    if page.file.src_uri.startswith(POSTS):
        meta = page.meta
        _posts.append(
            {
                "title": page.title,
                "url": page.url,
                "date": _as_datetime(meta.get("date")),
                "categories": list(meta.get("categories") or []),
                "description": str(meta.get("description") or ""),
            }
        )
    return context


def on_post_build(config):
    site_url = (config.get("site_url") or "").rstrip("/") + "/"
    channel_link = site_url + "actualites/"
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", f"{config['site_name']} — Actualités")
    _text(channel, "link", channel_link)
    _text(channel, "description", "Actualités, maintenances et notes de version de Relais.")
    _text(channel, "language", "fr-FR")
    ET.SubElement(
        channel,
        "atom:link",
        {"href": site_url + FEED, "rel": "self", "type": "application/rss+xml"},
    )
    posts = sorted(_posts, key=lambda p: p["date"], reverse=True)
    if posts:
        _text(channel, "lastBuildDate", format_datetime(posts[0]["date"]))
    for post in posts:
        item = ET.SubElement(channel, "item")
        _text(item, "title", post["title"])
        _text(item, "link", site_url + post["url"])
        _text(item, "guid", site_url + post["url"]).set("isPermaLink", "true")
        _text(item, "pubDate", format_datetime(post["date"]))
        for category in post["categories"]:
            _text(item, "category", category)
        _text(item, "description", post["description"])
    target = Path(config["site_dir"]) / FEED
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.indent(rss)
    ET.ElementTree(rss).write(target, encoding="utf-8", xml_declaration=True)
    log.info("Flux RSS écrit : %s (%d articles)", target, len(posts))


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = value
    return element


def _as_datetime(value: object) -> dt.datetime:
    """Front-matter dates come as date, datetime, {created: …} or text; noon in Paris if bare."""
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=PARIS)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(12, 0), tzinfo=PARIS)
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
