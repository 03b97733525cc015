"""`make run`: migrate, seed, build the site, start the processes, stop them all together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from backend.config import ROOT, Config
from backend.db import current_session
from backend.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from backend.migrate import upgrade


def _build_site(config: Config) -> None:
    mkdocs = ROOT / "docs_site" / "mkdocs.yml"
    if not mkdocs.exists():
        return
    print("Construction du site communautaire…", flush=True)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--quiet",
            "-f",
            str(mkdocs),
            "-d",
            config.site_dir,
        ],
        check=False,
    )
    if result.returncode != 0:
        print("Le site n'a pas pu être construit ; l'API démarre quand même.", flush=True)


def _processes(config: Config) -> dict[str, list[str]]:
    """Every long-running process of the embedded setup."""
    return {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "backend.wsgi:app",
        ],
        "scheduler": [sys.executable, "-m", "backend.cli", "scheduler"],
    }


def _banner(config: Config) -> None:
    base = f"http://{config.host}:{config.port}"
    lines = [
        "",
        "Relais est démarré :",
        f"  Site communautaire   {base}/",
        f"  API                  {base}/api/v1",
        f"  Documentation API    {base}/api/docs   (OpenAPI : {base}/api/openapi.json)",
    ]
    if config.demo_mode:
        lines.append(f"  Connexion démo       {DEMO_USERS['demo']} / {DEMO_PASSWORD}")
    lines += ["Ctrl-C arrête tout.", ""]
    print("\n".join(lines), flush=True)


def run(config: Config) -> int:
    """Start everything in the foreground; Ctrl-C or SIGTERM stops every child."""
    upgrade(config.database_url)
    if config.demo_mode and seed(current_session()):
        print("Données de démonstration créées.", flush=True)
    _build_site(config)
    env = {
        **os.environ,
        "HOST": config.host,
        "PORT": str(config.port),
        "RELAIS_DEMO": "1" if config.demo_mode else "0",
    }
    children = {
        name: subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
        for name, cmd in _processes(config).items()
    }
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    _banner(config)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"Le processus « {name} » s'est arrêté (code {child.returncode}).", flush=True
                )
                stopping, exit_code = True, 1
        time.sleep(0.5)
    _terminate(children)
    return exit_code


def _terminate(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    print("Tous les processus sont arrêtés.", flush=True)
