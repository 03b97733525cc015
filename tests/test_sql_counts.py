"""No N+1: the statements a read costs do not grow with the size of its answer."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from backend.accounts.models import Role
from tests.conftest import StatementCounter
from tests.factories import (
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    make_invoice,
)
from tests.helpers import auth_headers

STEPS = ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "SUSPENDUE", "COMPLETEE"]


def _history(start: dt.datetime, steps: int) -> list[tuple[str, dt.datetime]]:
    return [(STEPS[i % len(STEPS)], start + dt.timedelta(hours=i)) for i in range(steps)]


def _count(
    client: FlaskClient, counter: StatementCounter, url: str, headers: dict[str, str]
) -> int:
    counter.statements.clear()
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return counter.count


def _supplier(structures: int, invoices_each: int, steps: int = 3):  # type: ignore[no-untyped-def]
    user = UserFactory()
    recipients = [RecipientFactory() for _ in range(3)]
    start = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)  # 110 days on, still past
    made = []
    for s in range(structures):
        structure = StructureFactory()
        MembershipFactory(user=user, structure=structure, role=Role.MAIN_MANAGER)
        services = [ServiceFactory(recipient=r) for r in recipients]
        for n in range(invoices_each):
            recipient = recipients[n % 3]
            made.append(
                make_invoice(
                    structure,
                    recipient,
                    _history(start + dt.timedelta(days=n, minutes=s), steps),
                    service_code=services[n % 3].code,
                )
            )
    return user, made


def test_list_costs_the_same_for_5_or_100_invoices(client: FlaskClient, count_queries) -> None:  # type: ignore[no-untyped-def]
    user, _ = _supplier(1, 110)
    h = auth_headers(client, user.email)
    small = _count(client, count_queries, "/api/v1/invoices?limit=5", h)
    large = _count(client, count_queries, "/api/v1/invoices?limit=100", h)
    assert small == large
    filtered = _count(
        client, count_queries, "/api/v1/invoices?limit=100&category=action_required", h
    )
    assert filtered == large


def test_detail_costs_the_same_for_3_or_30_steps(client: FlaskClient, count_queries) -> None:  # type: ignore[no-untyped-def]
    user, invoices = _supplier(1, 1, steps=3)
    structure_id = invoices[0].structure_id
    long_one = make_invoice(
        invoices[0].structure, invoices[0].recipient,
        _history(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), 30),
    )  # fmt: skip
    assert long_one.structure_id == structure_id
    h = auth_headers(client, user.email)
    short = _count(client, count_queries, f"/api/v1/invoices/{invoices[0].id}", h)
    longer = _count(client, count_queries, f"/api/v1/invoices/{long_one.id}", h)
    assert short == longer


def test_summary_and_dashboard_cost_the_same_for_1_or_3_structures(
    client: FlaskClient,
    count_queries,  # type: ignore[no-untyped-def]
) -> None:
    one, _ = _supplier(1, 12, steps=4)
    three, _ = _supplier(3, 12, steps=4)
    h1, h3 = auth_headers(client, one.email), auth_headers(client, three.email)
    for url in ("/api/v1/summary", "/api/v1/dashboard"):
        assert _count(client, count_queries, url, h1) == _count(client, count_queries, url, h3), url
