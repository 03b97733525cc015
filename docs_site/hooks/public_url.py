"""The site's public address: PUBLIC_BASE_URL when the build is given one, else `site_url`.

`make run` and the rebuild job pass the server's PUBLIC_BASE_URL (which follows HOST and PORT),
so the addresses written into the site point where it is served: the links inside the practical
sheets' PDFs, the RSS feed, the sitemap and the canonical links. A plain `mkdocs build` keeps
mkdocs.yml's `site_url`.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.public_url")


def on_config(config):
    base = os.environ.get("PUBLIC_BASE_URL", "").strip()
    if not base:
        return config
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PluginError(
            f"PUBLIC_BASE_URL doit être une adresse http(s) complète, pas « {base} »."
        )
    config.site_url = base.rstrip("/") + "/"
    log.info("Adresse publique du site : %s", config.site_url)
    return config
