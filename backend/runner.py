"""`make run`: migrate, start the sandbox, seed, build the site, start and stop everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx

from backend.config import ROOT, Config
from backend.db import unit_of_work
from backend.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from backend.migrate import upgrade
from backend.site.build import MKDOCS_CONFIG, build_site

Children = dict[str, subprocess.Popen[bytes]]


def sandbox_accounts(config: Config, wait: float = 30) -> list[dict[str, Any]]:
    """The sandbox's technical accounts (the demo registers them), once it answers."""
    deadline = time.monotonic() + wait
    while True:
        try:
            response = httpx.get(f"{config.portal_base_url}/_sandbox/accounts", timeout=2)
            response.raise_for_status()
            accounts: list[dict[str, Any]] = response.json()["accounts"]
            return accounts
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _trial_account(config: Config) -> dict[str, Any] | None:
    """The sandbox's unclaimed supplier, for whoever tries adding a structure of their own."""
    if config.portal_env != "local":
        return None
    try:
        sandbox_accounts(config)  # waits until the sandbox answers
        response = httpx.get(f"{config.portal_base_url}/_sandbox/cases", timeout=5)
        response.raise_for_status()
        found: dict[str, Any] | None = response.json()["cases"].get("unclaimed")
        return found
    except (httpx.HTTPError, KeyError, ValueError):
        return None


def _seed_demo(config: Config) -> None:
    accounts = sandbox_accounts(config)
    with unit_of_work() as session:
        created = seed(session, accounts, config=config)
    if created:
        print("Données de démonstration créées.", flush=True)


def _build_site(config: Config) -> None:
    if not MKDOCS_CONFIG.exists():
        return
    print("Construction du site communautaire…", flush=True)
    if not build_site(config, pdfs=True):  # the rebuild job's builder, its errors logged
        print("Le site n'a pas pu être construit ; l'API démarre quand même.", flush=True)


def _sandbox_command(config: Config) -> list[str]:
    command = [
        sys.executable, "-m", "backend.portal.sandbox", "--port", str(config.sandbox_port),
        "--store", os.path.join(config.instance_path, "sandbox.sqlite"),
    ]  # fmt: skip
    return [*command, "--demo"] if config.demo_mode else command


def _services(config: Config) -> dict[str, list[str]]:
    """The long-running processes beside the sandbox."""
    return {
        "web": [sys.executable, "-m", "backend.serve"],
        "scheduler": [sys.executable, "-m", "backend.cli", "scheduler"],
    }


def _banner(config: Config) -> None:
    base = f"http://{config.host}:{config.port}"
    lines = [
        "",
        "Relais est démarré :",
        f"  Site communautaire   {base}/",
        f"  Application          {base}/app/   (factures, Synthèse, tableau de bord)",
        f"  API                  {base}/api/v1",
        f"  Documentation API    {base}/api/docs   (OpenAPI : {base}/api/openapi.json)",
        f"  Bac à sable portail  {config.portal_base_url}",
    ]
    if config.demo_mode:
        lines.append(f"  Connexion démo       {DEMO_USERS['demo']} / {DEMO_PASSWORD}")
        lines.append(f"  Espace formateurs    {base}/espace-formateurs/")
        lines.append(f"    formateur          {DEMO_USERS['trainer']} / {DEMO_PASSWORD}")
        lines.append(f"    administrateur     {DEMO_USERS['admin']} / {DEMO_PASSWORD}")
        lines.append("  Les statuts évoluent en direct : synchronisation toutes les ~15 s.")
    trial = _trial_account(config)
    if trial:
        lines.append("  Pour essayer l'inscription puis l'ajout d'une structure (bac à sable) :")
        lines.append(f"    SIRET {trial['siret']}, compte technique {trial['login']}")
        lines.append(f"    mot de passe {trial['password']}")
    lines += ["Ctrl-C arrête tout.", ""]
    print("\n".join(lines), flush=True)


def _spawn(children: Children, name: str, command: list[str], env: dict[str, str]) -> None:
    children[name] = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def run(config: Config) -> int:
    """Start everything in the foreground; Ctrl-C or SIGTERM stops every child."""
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    env = {**os.environ, "HOST": config.host, "PORT": str(config.port),
           "RELAIS_DEMO": "1" if config.demo_mode else "0"}  # fmt: skip
    children: Children = {}
    try:
        upgrade(config.database_url)
        if config.portal_env == "local":
            _spawn(children, "sandbox", _sandbox_command(config), env)
        if config.demo_mode:
            _seed_demo(config)
        _build_site(config)
        for name, command in _services(config).items():
            _spawn(children, name, command, env)
        _banner(config)
        return _watch(children, lambda: stopping)
    finally:
        _terminate(children)


def _watch(children: Children, stopping: Any) -> int:
    while not stopping():
        for name, child in children.items():
            if child.poll() is not None:
                print(
                    f"Le processus « {name} » s'est arrêté (code {child.returncode}).", flush=True
                )
                return 1
        time.sleep(0.5)
    return 0


def _terminate(children: Children) -> None:
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
    if children:
        print("Tous les processus sont arrêtés.", flush=True)
