"""Issue 18's walk, as a supplier takes it: from nothing to their invoices, with no operator.

Over HTTP against the real processes (`relais run-all`: the web server, the scheduler that syncs,
the portal sandbox) on a fresh SQLite instance as `make run` starts it (the demo included; the
sandbox keeps one supplier free for this), e-mail through a real SMTP server on loopback.

Sign up → open the e-mailed link → add a sandbox structure with its technical account →
invoices appear after the first sync → invite a colleague → the colleague signs up from the
invitation and sees only what their role allows → enable 2FA → log in with a code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from tests.mail.smtp import Inbox, smtp_server, text_part
from tests.test_runner import _environment, _free_port, _run_all

pytestmark = pytest.mark.nodb
__all__ = ["smtp_server"]

T = TypeVar("T")
PASSWORD = "Quai-des-Brumes-1938!"


def _until(probe: Callable[[], T | None], what: str, timeout: float = 120) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


def _link_token(box: Inbox, address: str, page: str) -> str:
    """The `jeton` of the link to `page` in the last e-mail sent to `address`."""

    def found() -> str | None:
        for message in reversed(box.to(address)):
            token = _token_in(message, page)
            if token:
                return token
        return None

    return _until(found, f"an e-mail to {address} linking {page}", 60)


def _token_in(message: EmailMessage, page: str) -> str | None:
    for url in re.findall(r"https?://\S+", text_part(message)):
        if page in url and "jeton=" in url:
            return parse_qs(urlsplit(url).query)["jeton"][0]
    return None


class Person:
    """Someone using the API over HTTP, signed in or not."""

    opened: list[httpx.Client] = []

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=f"{base}/api/v1", timeout=60)
        Person.opened.append(self.http)

    @classmethod
    def close_all(cls) -> None:
        while cls.opened:
            cls.opened.pop().close()

    def login(self, email: str, password: str = PASSWORD, **extra: str) -> httpx.Response:
        answer = self.http.post("/auth/login", json={"email": email, "password": password, **extra})
        if answer.status_code == 200:
            self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        return answer

    def get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


@dataclass(frozen=True)
class Running:
    base: str  # Relais: site, app and API
    sandbox: str  # the portal sandbox it talks to
    output: Path  # what `relais run-all` printed

    def log(self) -> str:
        return self.output.read_text()


@pytest.fixture
def relais(tmp_path: Path, smtp_server: Any) -> Iterator[Running]:
    controller, box = smtp_server
    box.clear()
    web, sandbox = _free_port(), _free_port()
    env = _environment(
        tmp_path / "instance", web, sandbox, SMTP_HOST=controller.hostname,
        SMTP_PORT=str(controller.port), SMTP_SECURITY="none", SYNC_INTERVAL_SECONDS="5",
    )  # fmt: skip
    with _run_all(env, tmp_path / "run-all.log"):
        try:
            yield Running(
                f"http://127.0.0.1:{web}", f"http://127.0.0.1:{sandbox}", tmp_path / "run-all.log"
            )
        finally:
            Person.close_all()


def test_a_supplier_goes_from_nothing_to_their_invoices(relais: Running, smtp_server: Any) -> None:
    _, box = smtp_server
    # The sandbox's supplier that the demo leaves free, as `make run`'s banner names it.
    account = httpx.get(f"{relais.sandbox}/_sandbox/cases", timeout=30).json()["cases"]["unclaimed"]
    assert f"SIRET {account['siret']}, compte technique {account['login']}" in relais.log()
    email = "claire.morvan@menuiserie-morvan.fr"

    # Sign up; the account opens only once the e-mailed link is followed.
    claire = Person(relais.base)
    answer = claire.http.post(
        "/accounts", json={"email": email, "password": PASSWORD, "full_name": "Claire Morvan"}
    )
    assert answer.status_code == 202, answer.text
    assert claire.login(email).status_code == 401
    token = _link_token(box, email, "/compte/confirmer/")
    assert claire.http.post("/accounts/confirm", json={"token": token}).status_code == 201
    assert claire.login(email).status_code == 200

    # Add the structure with its technical account: the portal proves it, Claire manages it.
    proof = {key: account[key] for key in ("siret", "login", "password")}
    answer = claire.http.post("/structures", json=proof)
    assert answer.status_code == 201, answer.text
    structure_id = answer.json()["structure"]["id"]
    me = claire.get("/me")
    assert [(m["id"], m["role"]) for m in me["structures"]] == [(structure_id, "main_manager")]

    # The first sync runs at once; its progress shows, then the invoices are there.
    def synced() -> dict[str, Any] | None:
        status = claire.get(f"/structures/{structure_id}/sync")
        return status if status["invoices_stored"] and not status["running"] else None

    status = _until(synced, "the first sync", 180)
    invoices = claire.get("/invoices", limit=100)
    assert invoices["items"], status
    assert {item["structure_id"] for item in invoices["items"]} == {structure_id}

    # Claire invites a colleague as a user restricted to one service; the colleague signs up
    # from the e-mailed invitation and sees that service's invoices, nothing else.
    with_service = [item for item in _all_invoices(claire) if item["service"]]
    service = with_service[0]["service"]
    offered = claire.get(f"/structures/{structure_id}/services")["items"]
    assert service["id"] in [s["id"] for s in offered]
    colleague = "yann.le-goff@menuiserie-morvan.fr"
    invited = claire.http.post(
        f"/structures/{structure_id}/invitations",
        json={"email": colleague, "role": "user", "service_ids": [service["id"]]},
    )
    assert invited.status_code == 201, invited.text
    token = _link_token(box, colleague, "/compte/invitation/")
    joined = Person(relais.base).http.post(
        "/invitations/sign-up",
        json={"token": token, "full_name": "Yann Le Goff", "password": PASSWORD},
    )
    assert joined.status_code == 201, joined.text
    yann = Person(relais.base)
    assert yann.login(colleague).status_code == 200
    assert [(m["id"], m["role"]) for m in yann.get("/me")["structures"]] == [(structure_id, "user")]
    seen = _all_invoices(yann)
    expected = {item["id"] for item in _all_invoices(claire) if item["service"] == service}
    assert {item["id"] for item in seen} == expected
    # A user may not invite, nor see the members.
    assert yann.http.get(f"/structures/{structure_id}/members").status_code == 403

    # Two-factor authentication: enabled with a code, then required at login.
    setup = claire.http.post("/me/two-factor")
    assert setup.status_code == 201, setup.text
    totp = pyotp.parse_uri(setup.json()["otpauth_uri"])
    confirmed = claire.http.post("/me/two-factor/confirm", json={"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["recovery_codes"]) == 10
    later = Person(relais.base)
    refused = later.login(email)
    assert refused.status_code == 401
    assert refused.json()["type"] == "urn:relais:problem:two-factor-required"
    # The code that confirmed is spent: the next one logs in (a new one every 30 s).
    used = confirmed.request.content
    code = _until(lambda: totp.now() if totp.now().encode() not in used else None, "a new code", 40)
    assert later.login(email, otp=code).status_code == 200
    assert later.get("/me")["email"] == email


def _all_invoices(person: Person) -> list[dict[str, Any]]:
    """Every invoice the person sees, page after page."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = person.get("/invoices", limit=100, **({"cursor": cursor} if cursor else {}))
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found
