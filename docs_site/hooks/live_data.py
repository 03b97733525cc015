"""Build-time data from the Relais backend: API reference, sessions catalogue, the
announcement bar and a news post per maintenance.

The app is built in-process with the same configuration as `make run` (DATABASE_URL,
RELAIS_INSTANCE). When the database is missing, empty or unreachable the pages carry a French
note and the build goes on. RELAIS_SITE_LIVE=0 skips the database altogether.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from relais_pages import annonces, api_reference, catalogue  # noqa: E402

log = logging.getLogger("mkdocs.hooks.live_data")

API_PAGE = "technique/reference-api.md"
CATALOGUE_PAGE = "formations/calendrier.md"
OPENAPI_FILE = "technique/openapi.json"
_state: dict[str, Any] = {}


def on_config(config):
    """Load the OpenAPI document and the live data once per build."""
    _state.clear()
    _state.update(_load())
    data = _state.get("data") or {}
    config.extra["relais_bandeau"] = annonces.bar(annonces.shown(data.get("announcements", [])))
    return config


def on_files(files, config):
    """Generated pages: indexed by search and checked by --strict like the others."""
    pages = {
        API_PAGE: api_reference.render(_state.get("spec")),
        CATALOGUE_PAGE: catalogue.render(_state.get("data"), _state.get("note")),
    }
    spec = _state.get("spec")
    if spec is not None:
        pages[OPENAPI_FILE] = json.dumps(spec, ensure_ascii=False, indent=1)
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    for uri, path in _posts().items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_post_build(config):
    _record(Path(config["site_dir"]))
    _state.pop("posts", None)  # removes the folder of generated posts


def _posts() -> dict[str, Path]:
    """Maintenance posts, written to files: the blog plugin reads posts from disk."""
    maintenances = (_state.get("data") or {}).get("maintenances", [])
    folder = _state["posts"] = tempfile.TemporaryDirectory(prefix="relais-posts-")
    written = {}
    for item in maintenances:
        path = Path(folder.name) / f"maintenance-{item['id']}.md"
        path.write_text(annonces.post(item), "utf-8")
        written[annonces.post_uri(item)] = path
    return written


def _load() -> dict[str, Any]:
    try:
        from backend import create_app
        from backend.config import Config
        from backend.extensions import api
    except ImportError as exc:  # the backend is not installed: the site still builds
        log.info("Backend Relais introuvable (%s) : pages dynamiques sans données.", exc)
        return {"note": "Le calendrier n'a pas pu être lu au moment de la construction du site."}
    config = Config.from_env().resolved()
    app = create_app(config)
    with app.app_context():
        state: dict[str, Any] = {"spec": api.spec.to_dict(), "config": config}
    if os.environ.get("RELAIS_SITE_LIVE", "1") == "0":
        return {**state, "note": "Calendrier non chargé lors de cette construction du site."}
    if _missing_sqlite(config.database_url):
        log.info("Base SQLite absente : calendrier vide (lancez « make run »).")
        return {**state, "note": "Aucune session n'est encore publiée."}
    try:
        with app.app_context():
            state["data"] = _read(config)
    except Exception as exc:  # unreachable or not migrated: note, never fail the build
        log.info("Base de données illisible (%s) : calendrier non chargé.", type(exc).__name__)
        state["note"] = "Le calendrier n'a pas pu être lu au moment de la construction du site."
    return state


def _read(config: Any) -> dict[str, Any]:
    from backend.db import current_session
    from backend.site.build import fingerprint, site_data
    from backend.trainings.settings import TrainingSettings

    now = dt.datetime.now(dt.UTC)
    session = current_session()
    try:
        data = site_data(session, TrainingSettings.from_config(config), now)
        data["fingerprint"] = fingerprint(data)
        data["now"] = now
        return data
    finally:
        session.rollback()


def _missing_sqlite(url: str) -> bool:
    if not url.startswith("sqlite:///"):
        return False
    path = url.removeprefix("sqlite:///")
    return path not in ("", ":memory:") and not Path(path).is_file()


def _record(site: Path) -> None:
    """Tell the rebuild job which data the served site shows."""
    config, data = _state.get("config"), _state.get("data")
    if config is None or data is None:
        return
    if site.resolve() != Path(config.site_dir).resolve():
        return
    from backend.site.build import record_build

    record_build(config, data["fingerprint"], data["now"])
