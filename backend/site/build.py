"""The site's live data (sessions, announcements) and the job that rebuilds the site on change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from backend.announcements import service as announcements
from backend.config import ROOT, Config
from backend.trainings import queries
from backend.trainings.settings import TrainingSettings

log = logging.getLogger(__name__)

MKDOCS_CONFIG = ROOT / "docs_site" / "mkdocs.yml"
STAMP_FILE = "site-build.json"
SHEET_PDFS = Path("fiches") / "pdf"
BUILD_TIMEOUT = 300
CHECK_SECONDS = 60
# What a rebuild shows; seats left change at every sign-up and are refreshed in the browser.
TRAINING_KEYS = ("id", "title", "format", "audiences", "parts", "capacity", "state", "description")
ANNOUNCEMENT_KEYS = ("id", "category", "title", "body", "window_starts_at", "window_ends_at")


def site_data(session: Session, settings: TrainingSettings, now: dt.datetime) -> dict[str, Any]:
    """Upcoming published sessions and current announcements, as the public API shows them."""
    found = queries.upcoming(session, now)
    tallies = queries.counts(session, [t.id for t in found])
    views = [queries.public_view(t, tallies[t.id], settings, now) for t in found]
    for view in views:
        view["parts"] = [
            {"position": p.position, "starts_at": p.starts_at, "ends_at": p.ends_at}
            for p in view["parts"]
        ]
    return {
        "trainings": views,
        "announcements": [announcements.view(a, now) for a in announcements.current(session, now)],
        # Each maintenance gets a news post, past ones included.
        "maintenances": [
            announcements.view(a, now) for a in announcements.maintenances(session, now)
        ],
    }


def fingerprint(data: dict[str, Any]) -> str:
    """A hash of what the built pages show, apart from the live seat counts."""
    shown = {
        "trainings": [{k: t[k] for k in TRAINING_KEYS} for t in data["trainings"]],
        "announcements": [{k: a[k] for k in ANNOUNCEMENT_KEYS} for a in data["announcements"]],
        "maintenances": [
            {k: a[k] for k in (*ANNOUNCEMENT_KEYS, "published_at")} for a in data["maintenances"]
        ],
    }
    text = json.dumps(shown, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


def stamp_path(config: Config) -> Path:
    return Path(config.instance_path) / STAMP_FILE


def last_built(config: Config) -> str | None:
    try:
        return str(json.loads(stamp_path(config).read_text("utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def build_site(config: Config, timeout: float = BUILD_TIMEOUT, *, pdfs: bool = False) -> bool:
    """Run `mkdocs build` into a fresh folder, then swap it in; False when it failed.

    `pdfs`: make the sheets' PDFs too when Chromium is there (the first build of a start);
    rebuilds keep the served ones."""
    target = Path(config.site_dir)
    fresh = target.with_name(target.name + ".new")
    command = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(MKDOCS_CONFIG)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DATABASE_URL": config.database_url}
    env["PUBLIC_BASE_URL"] = config.public_base_url  # links in the feed, sitemap and PDFs
    if not pdfs:
        env.setdefault("RELAIS_SITE_PDF", "0")
    try:
        result = subprocess.run(
            [*command, "-d", str(fresh)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            env={**env, "RELAIS_INSTANCE": config.instance_path},
        )
    except (subprocess.TimeoutExpired, OSError) as exc:
        log.error("site rebuild failed: %s", exc)
        return False
    if result.returncode:
        log.error("site rebuild failed: %s", result.stderr[-2000:])
        return False
    _keep_sheet_pdfs(target, fresh)
    _swap(fresh, target)
    return True


def _keep_sheet_pdfs(served: Path, fresh: Path) -> None:
    """A rebuild skips the sheets' PDFs (Chromium is slow); they show no live data, so the
    served ones carry over instead of vanishing."""
    old, new = served / SHEET_PDFS, fresh / SHEET_PDFS
    if old.is_dir() and not new.exists():
        shutil.copytree(old, new)


def _swap(fresh: Path, target: Path) -> None:
    """Replace the served folder with the new build; the old one is removed after."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        _remove(old)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    if old.exists():
        _remove(old)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def rebuild_site_on_change(session: Session, now: dt.datetime, config: Config) -> None:
    """Rebuild the community site when the sessions or announcements it shows have changed."""
    settings = TrainingSettings.from_config(config)
    current = fingerprint(site_data(session, settings, now))
    session.rollback()  # no transaction held open during the build
    if current == last_built(config):
        return
    log.info("site data changed: rebuilding the community site")
    if build_site(config):
        record_build(config, current, now)


def record_build(config: Config, value: str, now: dt.datetime) -> None:
    stamp = {"fingerprint": value, "built_at": now.isoformat()}
    stamp_path(config).write_text(json.dumps(stamp), "utf-8")
