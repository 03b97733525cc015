"""Every error path of the client, provoked by the sandbox's fault injection."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import httpx
import pytest

from backend.portal import (
    PortalBusinessError,
    PortalClient,
    PortalCredentialsError,
    PortalEnvironment,
    PortalUnavailableError,
    RetryPolicy,
    TechnicalAccount,
    TechnicalAccountError,
    TechnicalPasswordExpiredError,
)
from backend.portal.endpoints import SEARCH_SUPPLIER_INVOICES
from backend.portal.sandbox import SandboxServer
from tests.portal.conftest import SleepRecorder

pytestmark = pytest.mark.nodb

MakeClient = Callable[..., PortalClient]


def search_calls(server: SandboxServer) -> int:
    return server.app.sandbox.calls[SEARCH_SUPPLIER_INVOICES]


def test_bad_client_credentials(make_client: MakeClient, server: SandboxServer) -> None:
    client = make_client(server, client_secret="pas-le-bon")
    with pytest.raises(PortalCredentialsError) as caught:
        client.search_supplier_invoices()
    assert "client_id / client_secret" in caught.value.message
    assert search_calls(server) == 0


def test_expired_technical_password(client: PortalClient, server: SandboxServer) -> None:
    assert client.account is not None
    server.app.sandbox.expire_password(client.account.login)
    with pytest.raises(TechnicalPasswordExpiredError) as caught:
        client.search_supplier_invoices()
    assert "a expiré" in caught.value.message
    assert search_calls(server) == 1  # not retried: waiting will not renew a password


def test_wrong_technical_password(make_client: MakeClient, server: SandboxServer) -> None:
    client = make_client(server, account=TechnicalAccount("TECH_1_inconnu@cpro.fr", "x"))
    with pytest.raises(TechnicalAccountError) as caught:
        client.invoice_history(1)
    assert not isinstance(caught.value, TechnicalPasswordExpiredError)
    assert "compte technique" in caught.value.message


def test_code_retour_on_http_200_is_a_business_error(
    client: PortalClient, server: SandboxServer
) -> None:
    server.app.sandbox.faults.code_retour_next(1, 20050, "Le service de recherche est suspendu.")
    with pytest.raises(PortalBusinessError) as caught:
        client.search_supplier_invoices()
    error = caught.value
    assert (error.code, error.http_status) == (20050, 200)
    assert error.message == (
        "Le portail a refusé la demande (code 20050) : Le service de recherche est suspendu."
    )
    assert search_calls(server) == 1


def test_429_waits_as_told_by_retry_after(
    client: PortalClient, server: SandboxServer, sleeps: SleepRecorder
) -> None:
    server.app.sandbox.faults.rate_limit_next(2, retry_after=7)
    assert client.search_supplier_invoices().total > 0
    assert sleeps.waits == [7.0, 7.0]
    assert search_calls(server) == 3


def test_503_then_success(
    client: PortalClient, server: SandboxServer, sleeps: SleepRecorder
) -> None:
    server.app.sandbox.faults.fail_next(2, status=503)
    assert client.invoice_history(4813000).events
    assert len(sleeps.waits) == 2 and all(0 < wait <= 0.011 for wait in sleeps.waits)


def test_500_beyond_the_retry_budget(client: PortalClient, server: SandboxServer) -> None:
    server.app.sandbox.faults.fail_next(10, status=500)
    with pytest.raises(PortalUnavailableError) as caught:
        client.search_supplier_invoices()
    assert caught.value.attempts == 3 and caught.value.reason == "HTTP 500"
    assert "après 3 tentative(s)" in caught.value.message
    assert search_calls(server) == 3


def test_slow_answer_is_retried_then_succeeds(
    make_client: MakeClient, server: SandboxServer
) -> None:
    # Margins wide enough for a loaded machine: the answer comes 3x after the timeout.
    client = make_client(server, timeout=0.5)
    server.app.sandbox.faults.slow_answer(1.5, calls=1)
    assert client.search_supplier_invoices().total > 0
    assert search_calls(server) == 2


def test_slow_answers_beyond_the_timeout_give_a_clear_error(
    make_client: MakeClient, server: SandboxServer
) -> None:
    client = make_client(server, timeout=0.5, attempts=2)
    server.app.sandbox.faults.slow_answer(1.5)
    started = time.monotonic()
    with pytest.raises(PortalUnavailableError) as caught:
        client.search_supplier_invoices()
    assert caught.value.reason == "délai de réponse dépassé"
    assert isinstance(caught.value.__cause__, Exception)
    assert time.monotonic() - started < 5  # two timeouts, not two full answers
    server.app.sandbox.faults.reset()


def test_nobody_listening(sleeps: SleepRecorder) -> None:
    with socket.socket() as probe:  # a loopback port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = PortalEnvironment.local(f"http://127.0.0.1:{port}")
    policy = RetryPolicy(attempts=2, initial_wait=0.001, jitter=0.001, sleep=sleeps)
    account = TechnicalAccount("TECH_1@cpro.fr", "secret")
    client = PortalClient(environment, "id", "secret", account=account, retry=policy)
    with client, pytest.raises(PortalUnavailableError) as caught:
        client.search_supplier_invoices()
    assert caught.value.reason == "connexion impossible" and len(sleeps.waits) == 1


def test_faults_flipped_from_another_process_through_the_admin_endpoint(
    client: PortalClient, server: SandboxServer
) -> None:
    admin = httpx.Client(base_url=server.url)
    refused = admin.post("/_sandbox/faults", json={"no_such_knob": 1})
    assert refused.status_code == 400
    assert admin.post("/_sandbox/faults", json={"fail_calls": 1, "fail_status": 503}).is_success
    assert client.search_supplier_invoices().total > 0
    assert client.account is not None
    admin.post(f"/_sandbox/accounts/{client.account.login}/expire-password")
    with pytest.raises(TechnicalPasswordExpiredError):
        client.search_supplier_invoices()
    state = admin.get("/_sandbox/state").json()
    assert state["calls"][SEARCH_SUPPLIER_INVOICES] == 3 and state["faults"]["fail_calls"] == 0
    admin.post("/_sandbox/tokens/expire")
    assert server.app.sandbox.token_valid("anything") is False
    admin.close()
