"""The OpenAPI document passes a maintained linter: Redocly CLI, with tests/openapi/redocly.yaml.

`make test` installs it from npm (`make openapi-lint-deps`, pinned by package-lock.json);
without npm the lint is skipped and says why. The checks below it are ours: operationIds
stay what clients were generated with, and each finding turned off is still true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend import create_app
from backend.config import Config

pytestmark = pytest.mark.nodb

HERE = Path(__file__).parent
REDOCLY = HERE / "node_modules" / ".bin" / "redocly"
RULES = HERE / "redocly.yaml"
IGNORED = HERE / ".redocly.lint-ignore.yaml"
# Clients are generated with these names: an operation may be added, never renamed.
PINNED = {
    ("post", "/api/v1/auth/login"): "postLogin",
    ("get", "/api/v1/invoices"): "getInvoices",
    ("get", "/api/v1/invoices/{invoice_id}"): "getInvoiceDetail",
    ("get", "/api/v1/summary"): "getSummary",
    ("get", "/api/v1/dashboard"): "getDashboard",
    ("get", "/api/v1/invoices/{invoice_id}/late-payment-claim"): "getLatePaymentClaim",
    ("post", "/api/v1/integrations/status-events"): "postStatusEvents",
    ("post", "/api/v1/devices"): "postDevices",
    ("get", "/api/v1/notifications"): "getNotifications",
    ("get", "/api/v1/trainings"): "getTrainings",
    ("post", "/api/v1/trainings/{training_id}/registrations"): "postRegistrations",
    ("get", "/api/v1/trainer/trainings"): "getManagedTrainings",
    ("get", "/api/v1/announcements"): "getAnnouncements",
    ("get", "/healthz"): "getHealth",
}
METHODS = ("get", "put", "post", "delete", "patch")


def served(**settings: Any) -> dict[str, Any]:
    """The document as an app configured thus serves it."""
    config = Config(
        instance_path=tempfile.mkdtemp(prefix="relais-openapi-lint-"),
        database_url="sqlite://",
        secret_key="openapi-lint-only-" + "x" * 32,
        testing=True,
        **settings,
    ).resolved()
    answer: dict[str, Any] = create_app(config).test_client().get("/api/openapi.json").get_json()
    return answer


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return served()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_the_linter_finds_nothing(document: dict[str, Any], tmp_path: Path) -> None:
    if not REDOCLY.exists():
        pytest.skip("Redocly CLI is not installed: `make openapi-lint-deps` needs npm")
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    for rules in (RULES, IGNORED):
        shutil.copy(rules, tmp_path / rules.name)
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    run = subprocess.run(
        [str(REDOCLY), "lint", "openapi.json", "--config", RULES.name, "--format", "json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    report = json.loads(run.stdout)
    found = [
        f"{p['ruleId']}: {p['message']} ({p['location'][0].get('pointer')})"
        for p in report["problems"]
    ]
    assert found == [] and run.returncode == 0, "\n".join(found) or run.stderr
    assert report["totals"]["ignored"] == len(ignored_operations())


def ignored_operations() -> list[tuple[str, str]]:
    """(method, path) of the operations whose missing 4xx is turned off."""
    pointers = yaml.safe_load(IGNORED.read_text())["openapi.json"]["operation-4xx-response"]
    found = []
    for pointer in pointers:
        _, _, path, method, _ = pointer.split("/")
        found.append((method, path.replace("~1", "/").replace("~0", "~")))
    return found


def test_the_operations_exempt_from_4xx_answer_none(document: dict[str, Any]) -> None:
    """An operation that gains a client error (a parameter, a login) leaves the list."""
    known = operations(document)
    for key in ignored_operations():
        assert key in known, key
        statuses = known[key]["responses"]
        assert not [s for s in statuses if s.startswith("4")], key


def test_every_operation_has_a_stable_camel_case_id(document: dict[str, Any]) -> None:
    ids = {key: operation.get("operationId") for key, operation in operations(document).items()}
    assert all(ids.values()) and len(set(ids.values())) == len(ids)
    assert {key: ids.get(key) for key in PINNED} == PINNED


def test_servers_and_components() -> None:
    document = served(public_base_url="https://relais.example.fr")
    assert document["servers"] == [{"url": "https://relais.example.fr", "description": "Relais"}]
    assert "/api/v1/invoices" in document["paths"]  # paths carry their prefix: none in servers
    assert "PaginationMetadata" not in document["components"]["schemas"]
