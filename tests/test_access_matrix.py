"""No user reads another structure's invoices, through any endpoint, even by guessing ids.

Users: a manager of structure A, a user of A restricted to one recipient service (VOIRIE), the
manager of structure B, and a user with no membership. Every GET endpoint is asked by every
user and must show exactly the invoices (and amounts) that user's scope allows. Add an
endpoint by adding an `Endpoint` to ENDPOINTS: it says how to call it and what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from backend.accounts.models import AuthSession, Membership, Recipient, Role, Structure, User
from backend.accounts.roles import Action, roles_that_may
from backend.accounts.service import start_session
from backend.announcements.models import NewsletterSubscription, SubscriptionState
from backend.db import db, utcnow
from backend.integrations.service import create_api_key
from backend.invoices.models import Invoice, StatusChange
from backend.invoices.statuses import TODO_CODES, status_info
from backend.onboarding.models import JoinRequest, JoinState
from backend.push.models import Notification, NotificationSettings
from tests.conftest import sibling_app
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    RecipientFactory,
    ServiceFactory,
    StructureFactory,
    UserFactory,
    at,
    make_invoice,
)
from tests.privacy.conftest import invitation_to, register
from tests.push.conftest import add_device
from tests.trainings.conftest import make_training

USERS = ("a_manager", "a_roads_only", "b_manager", "nobody")


@dataclass(frozen=True)
class Inv:
    """What the test knows of one invoice, to compute what each user must see."""

    id: int
    number: str
    structure: str  # "A" or "B"
    recipient: str  # "town" or "hospital"
    service: str | None
    status: str
    amount: Decimal


@dataclass
class Matrix:
    structures: dict[str, Structure]
    recipients: dict[str, Recipient]
    users: dict[str, User]
    invoices: list[Inv]
    visible: dict[str, set[str]] = field(default_factory=dict)
    memberships: dict[str, list[tuple[str, list[str] | None]]] = field(default_factory=dict)

    def seen_by(self, user: str) -> list[Inv]:
        return [inv for inv in self.invoices if inv.number in self.visible[user]]


@pytest.fixture
def matrix(app_ctx: Flask) -> Matrix:
    a, b = StructureFactory(name="Structure A"), StructureFactory(name="Structure B")
    town, hospital = RecipientFactory(name="Ville"), RecipientFactory(name="Hôpital")
    roads = ServiceFactory(recipient=town, code="VOIRIE")
    ServiceFactory(recipient=town, code="ECOLES")
    users = {name: UserFactory() for name in USERS}
    MembershipFactory(user=users["a_manager"], structure=a, role=Role.MANAGER)
    MembershipFactory(user=users["a_roads_only"], structure=a, role=Role.USER, services=[roads])
    MembershipFactory(user=users["b_manager"], structure=b, role=Role.MAIN_MANAGER)
    structures = {"A": a, "B": b}
    recipients = {"town": town, "hospital": hospital}
    start = [("DEPOSEE", at(1)), ("MISE_A_DISPOSITION", at(2))]
    rows = [
        ("A-VOIRIE", "A", "town", "VOIRIE", "MISE_EN_PAIEMENT", "100.00"),
        ("A-ECOLES", "A", "town", "ECOLES", "SUSPENDUE", "200.00"),
        ("A-HOPITAL", "A", "hospital", None, "REJETEE", "400.00"),
        ("A-VOIRIE-REJET", "A", "town", "VOIRIE", "REJETEE", "800.00"),
        ("A-INEDIT", "A", "town", "VOIRIE", "ETAT_INEDIT", "1600.00"),
        ("B-VOIRIE", "B", "town", "VOIRIE", "SUSPENDUE", "3200.00"),
        ("B-HOPITAL", "B", "hospital", None, "A_RECYCLER", "6400.00"),
        ("B-PAYEE", "B", "town", None, "MISE_EN_PAIEMENT", "12800.00"),
    ]
    invoices = []
    for day, (number, s, r, service, status, amount) in enumerate(rows, start=3):
        invoice = make_invoice(
            structures[s],
            recipients[r],
            [*start, (status, at(day), f"secret {number}")],
            service_code=service,
            amount=amount,
            number=number,
        )
        invoices.append(Inv(invoice.id, number, s, r, service, status, Decimal(amount)))
    matrix = Matrix(structures, recipients, users, invoices)
    matrix.visible = {
        "a_manager": {i.number for i in invoices if i.structure == "A"},
        "a_roads_only": {
            i.number for i in invoices if i.structure == "A" and i.service == "VOIRIE"
        },
        "b_manager": {i.number for i in invoices if i.structure == "B"},
        "nobody": set(),
    }
    matrix.memberships = {
        "a_manager": [("A", None)],
        "a_roads_only": [("A", ["VOIRIE"])],
        "b_manager": [("B", None)],
        "nobody": [],
    }
    return matrix


# --- what each endpoint shows, and what it must show ------------------------------------------

Shown = Any


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: Callable[[Matrix], str]
    shows: Callable[[dict[str, Any]], Shown]
    expected: Callable[[Matrix, str], Shown]


def _listing(body: dict[str, Any]) -> Shown:
    return sorted((i["number"], i["amount_incl_tax"]) for i in body["items"]), body["total"]


def _listing_of(keep: Callable[[Matrix, Inv], bool]) -> Callable[[Matrix, str], Shown]:
    def expected(m: Matrix, user: str) -> Shown:
        invoices = [i for i in m.seen_by(user) if keep(m, i)]
        return sorted((i.number, f"{i.amount:.2f}") for i in invoices), len(invoices)

    return expected


def _invoices(
    name: str, query: Callable[[Matrix], str], keep: Callable[[Matrix, Inv], bool]
) -> Endpoint:
    return Endpoint(
        f"invoices?{name}",
        lambda m: f"/api/v1/invoices?limit=100&{query(m)}",
        _listing,
        _listing_of(keep),
    )


def _category(inv: Inv) -> str | None:
    info = status_info(inv.status)
    return info.category.value if info else None


def _summary(body: dict[str, Any]) -> Shown:
    todo = {t["code"]: (t["count"], t["amount_incl_tax"]) for t in body["todo"] if t["count"]}
    acks = sorted((a["number"], a["comment"]) for a in body["to_acknowledge"])
    action = body["action_required"]
    return todo, acks, (action["count"], action["amount_incl_tax"])


def _summary_of(structure: str | None) -> Callable[[Matrix, str], Shown]:
    def expected(m: Matrix, user: str) -> Shown:
        mine = [i for i in m.seen_by(user) if structure is None or i.structure == structure]
        todo: dict[str, tuple[int, str]] = {}
        for code in TODO_CODES:
            hits = [i for i in mine if i.status == code]
            if hits:
                todo[code] = (len(hits), f"{sum(i.amount for i in hits):.2f}")
        acks = sorted(
            (i.number, f"secret {i.number}") for i in mine if i.status in ("REJETEE", "SUSPENDUE")
        )
        action = [i for i in mine if i.status in TODO_CODES]
        return todo, acks, (len(action), f"{sum((i.amount for i in action), Decimal(0)):.2f}")

    return expected


def _dashboard(body: dict[str, Any]) -> Shown:
    by_status = {s["code"]: (s["count"], s["amount_incl_tax"]) for s in body["by_status"]}
    structures = sorted((s["name"], s["count"], s["amount_incl_tax"]) for s in body["by_structure"])
    totals = body["totals"]
    return (totals["count"], totals["amount_incl_tax"]), by_status, structures


def _dashboard_of(structure: str | None) -> Callable[[Matrix, str], Shown]:
    def expected(m: Matrix, user: str) -> Shown:
        mine = [i for i in m.seen_by(user) if structure is None or i.structure == structure]
        by_status: dict[str, tuple[int, str]] = {}
        for code in {i.status for i in mine}:
            hits = [i for i in mine if i.status == code]
            by_status[code] = (len(hits), f"{sum(i.amount for i in hits):.2f}")
        structures = []
        for key in sorted({i.structure for i in mine}):
            hits = [i for i in mine if i.structure == key]
            name = m.structures[key].name
            structures.append((name, len(hits), f"{sum(i.amount for i in hits):.2f}"))
        total = f"{sum((i.amount for i in mine), Decimal(0)):.2f}"
        return (len(mine), total), by_status, sorted(structures)

    return expected


def _me(body: dict[str, Any]) -> Shown:
    return sorted(
        (s["id"], [x["code"] for x in s["services"]] if s["services"] is not None else None)
        for s in body["structures"]
    )


def _me_of(m: Matrix, user: str) -> Shown:
    return sorted((m.structures[key].id, services) for key, services in m.memberships[user])


def _export(body: dict[str, Any]) -> Shown:
    memberships = sorted(
        (
            m["structure"]["id"],
            [x["code"] for x in m["services"]] if m["services"] is not None else None,
        )
        for m in body["memberships"]
    )
    return body["profile"]["id"], memberships


def _export_of(m: Matrix, user: str) -> Shown:
    return m.users[user].id, _me_of(m, user)


def _sid(key: str) -> Callable[[Matrix], str]:
    return lambda m: f"structure_id={m.structures[key].id}"


def _rid(key: str) -> Callable[[Matrix], str]:
    return lambda m: f"recipient_id={m.recipients[key].id}"


ENDPOINTS = [
    _invoices("all", lambda m: "", lambda m, i: True),
    _invoices("structure_id=A", _sid("A"), lambda m, i: i.structure == "A"),
    _invoices("structure_id=B", _sid("B"), lambda m, i: i.structure == "B"),
    _invoices(
        "structure_id=A&B",
        lambda m: f"{_sid('A')(m)}&{_sid('B')(m)}",
        lambda m, i: True,
    ),
    _invoices("recipient_id=town", _rid("town"), lambda m, i: i.recipient == "town"),
    _invoices("recipient_id=hospital", _rid("hospital"), lambda m, i: i.recipient == "hospital"),
    _invoices(
        "status",
        lambda m: "status=SUSPENDUE&status=A_RECYCLER",
        lambda m, i: i.status in ("SUSPENDUE", "A_RECYCLER"),
    ),
    _invoices(
        "category",
        lambda m: "category=action_required",
        lambda m, i: _category(i) == "action_required",
    ),
    _invoices("q=number", lambda m: "q=HOPITAL", lambda m, i: "HOPITAL" in i.number),
    _invoices("q=recipient", lambda m: "q=H%C3%B4pital", lambda m, i: i.recipient == "hospital"),
    _invoices(
        "amount", lambda m: "amount_min=300&amount_max=7000", lambda m, i: 300 <= i.amount <= 7000
    ),
    _invoices(
        "changed",
        lambda m: "changed_from=2026-10-07&changed_to=2026-10-31",
        lambda m, i: i.number in {"A-INEDIT", "B-VOIRIE", "B-HOPITAL", "B-PAYEE"},
    ),
    _invoices(
        "invoice_date",
        lambda m: "invoice_date_from=2026-10-01&invoice_date_to=2026-10-01",
        lambda m, i: True,
    ),
    Endpoint("summary", lambda m: "/api/v1/summary", _summary, _summary_of(None)),
    Endpoint(
        "summary?structure_id=A",
        lambda m: f"/api/v1/summary?{_sid('A')(m)}",
        _summary,
        _summary_of("A"),
    ),
    Endpoint(
        "summary?structure_id=B",
        lambda m: f"/api/v1/summary?{_sid('B')(m)}",
        _summary,
        _summary_of("B"),
    ),
    Endpoint("dashboard", lambda m: "/api/v1/dashboard", _dashboard, _dashboard_of(None)),
    Endpoint(
        "dashboard?structure_id=A",
        lambda m: f"/api/v1/dashboard?{_sid('A')(m)}",
        _dashboard,
        _dashboard_of("A"),
    ),
    Endpoint(
        "dashboard?structure_id=B",
        lambda m: f"/api/v1/dashboard?{_sid('B')(m)}",
        _dashboard,
        _dashboard_of("B"),
    ),
    Endpoint("me", lambda m: "/api/v1/me", _me, _me_of),
    Endpoint("me/export", lambda m: "/api/v1/me/export", _export, _export_of),
]


# --- clients: the test app, and one with the response cache on (shared between users) --------


@pytest.fixture(params=["no-cache", "caches"])
def reader(
    request: pytest.FixtureRequest, app: Flask, client: FlaskClient, tmp_path: Path
) -> Iterator[FlaskClient]:
    """The caches are where answers could leak from one user to another: test with and without.

    With them: the response cache, and on PostgreSQL the workers' authentication cache.
    """
    if request.param == "no-cache":
        yield client
        return
    with sibling_app(app, tmp_path, response_cache=True, auth_cache=True) as cached_app:
        yield cached_app.test_client()


@pytest.fixture
def tokens(app: Flask, matrix: Matrix) -> dict[str, dict[str, str]]:
    """Sessions opened directly (login itself is tested elsewhere; argon2 is slow on purpose)."""
    config = app.extensions["relais_config"]
    pairs = {name: start_session(db.session, u, config=config) for name, u in matrix.users.items()}
    db.session.commit()
    return {name: {"Authorization": f"Bearer {p.access_token}"} for name, p in pairs.items()}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_user_sees_exactly_their_scope(
    reader: FlaskClient, matrix: Matrix, tokens: dict[str, dict[str, str]], endpoint: Endpoint
) -> None:
    # Twice over, so a cached answer for one user is offered to the next ones.
    for _ in range(2):
        for user in USERS:
            response = reader.get(endpoint.url(matrix), headers=tokens[user])
            assert response.status_code == 200, (user, response.get_json())
            assert endpoint.shows(response.get_json()) == endpoint.expected(matrix, user), user


def _without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


def test_guessing_invoice_ids_finds_nothing_outside_the_scope(
    reader: FlaskClient, matrix: Matrix, tokens: dict[str, dict[str, str]]
) -> None:
    all_ids = list(db.session.scalars(select(Invoice.id)))
    assert sorted(all_ids) == sorted(i.id for i in matrix.invoices)
    missing = max(all_ids) + 1
    by_id = {i.id: i for i in matrix.invoices}
    for _ in range(2):
        for user in USERS:
            headers = tokens[user]
            absent = reader.get(f"/api/v1/invoices/{missing}", headers=headers)
            assert absent.status_code == 404
            for invoice_id in all_ids:
                response = reader.get(f"/api/v1/invoices/{invoice_id}", headers=headers)
                number = by_id[invoice_id].number
                if number in matrix.visible[user]:
                    assert response.status_code == 200, (user, number)
                    body = response.get_json()
                    assert body["number"] == number
                    assert body["history"][-1]["comment"] == f"secret {number}"
                    continue
                # 404 (not 403), byte for byte the answer for an id that does not exist.
                assert response.status_code == 404, (user, number)
                assert response.mimetype == absent.mimetype == "application/problem+json"
                assert _without_instance(response.get_json()) == _without_instance(
                    absent.get_json()
                )
                assert f"secret {number}" not in response.get_data(as_text=True)
                assert "ETag" not in response.headers


def test_an_api_key_of_a_cannot_write_b(client: FlaskClient, matrix: Matrix) -> None:
    a, b = matrix.structures["A"], matrix.structures["B"]
    _, key = create_api_key(db.session, "ERP de A", [a])
    db.session.commit()
    b_invoice = db.session.get(
        Invoice, next(i.id for i in matrix.invoices if i.number == "B-VOIRIE")
    )
    assert b_invoice is not None
    portal_id, b_version = b_invoice.portal_id, b.data_version
    changes = [{"code": "REJETEE", "occurred_at": "2026-11-20T10:00:00Z", "comment": "pirate"}]

    def entry(structure: Structure, pid: int) -> dict[str, Any]:
        invoice = {
            "portal_id": pid,
            "number": "PIRATE",
            "structure_siret": structure.siret,
            "recipient_siret": matrix.recipients["town"].siret,
            "amount_incl_tax": "1.00",
        }
        return {"invoice": invoice, "changes": changes}

    batch = [entry(b, 77_000_001), entry(b, portal_id), entry(a, portal_id)]
    response = client.post(
        "/api/v1/integrations/status-events", json={"items": batch}, headers={"X-API-Key": key}
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.get_json()["results"]] == ["error"] * 3

    db.session.expire_all()
    assert db.session.scalar(select(Invoice).where(Invoice.number == "PIRATE")) is None
    unchanged = db.session.get(Invoice, b_invoice.id)
    assert unchanged is not None
    assert (unchanged.number, unchanged.status_code, unchanged.amount_incl_tax) == (
        "B-VOIRIE",
        "SUSPENDUE",
        Decimal("3200.00"),
    )
    assert db.session.scalar(select(StatusChange).where(StatusChange.comment == "pirate")) is None
    assert db.session.get(Structure, b.id).data_version == b_version  # type: ignore[union-attr]


def test_each_user_sees_and_ends_only_their_own_sessions(
    client: FlaskClient, matrix: Matrix, tokens: dict[str, dict[str, str]]
) -> None:
    """`/me/sessions` lists the caller's sessions only; another's id is a 404, and stays open."""
    own = {
        name: set(db.session.scalars(select(AuthSession.id).where(AuthSession.user_id == u.id)))
        for name, u in matrix.users.items()
    }
    for user in USERS:
        listed = client.get("/api/v1/me/sessions", headers=tokens[user]).get_json()["items"]
        assert {item["id"] for item in listed} == own[user], user
        for other in USERS:
            for session_id in own[other] - own[user]:
                path = f"/api/v1/me/sessions/{session_id}"
                assert client.delete(path, headers=tokens[user]).status_code == 404
    for user in USERS:
        assert client.get("/api/v1/me", headers=tokens[user]).status_code == 200, user


def test_each_user_has_only_their_own_two_factor(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    """`/me/two-factor` acts on the caller's account only: one user's second factor is neither
    seen nor turned off nor renewed by another."""
    owner, *others = USERS
    secret = client.post("/api/v1/me/two-factor", headers=tokens[owner]).get_json()["secret"]
    code = {"code": pyotp.TOTP(secret).now()}
    confirmed = client.post("/api/v1/me/two-factor/confirm", json=code, headers=tokens[owner])
    assert confirmed.status_code == 200
    off = {"password": PASSWORD, **code}
    for user in others:
        status = client.get("/api/v1/me/two-factor", headers=tokens[user]).get_json()
        assert status == {"enabled": False, "recovery_codes_left": 0}, user
        renew = client.post("/api/v1/me/two-factor/recovery-codes", json=code, headers=tokens[user])
        assert renew.status_code == 409, user
        assert (
            client.delete("/api/v1/me/two-factor", json=off, headers=tokens[user]).status_code
            == 409
        )
    assert client.get("/api/v1/me/two-factor", headers=tokens[owner]).get_json()["enabled"]


def test_each_users_export_holds_only_their_own_data(
    reader: FlaskClient, matrix: Matrix, tokens: dict[str, dict[str, str]]
) -> None:
    """`/me/export`: every user's rows (sessions, devices, inbox, preferences, sign-ups,
    newsletter, join requests, invitations, the structures' keys) and no one else's, even
    through the caches; `/me/join-requests` and the inbox likewise. Each row of a user's is
    labelled with their name."""
    trainer = UserFactory(is_trainer=True)
    training = make_training(trainer.id)
    for name, user in matrix.users.items():
        structure = next(iter(user.memberships), None)
        structure_id = structure.structure_id if structure else None
        add_device(user, app_version=f"{name} 1.0")
        db.session.add_all(
            [
                Notification(
                    user_id=user.id, structure_id=structure_id, kind="status",
                    category="every_change", title=f"Pour {name}", body=name,
                ),
                NotificationSettings(user_id=user.id, time_zone="Europe/Paris"),
                NewsletterSubscription(
                    email=user.email, state=SubscriptionState.ACTIVE, consent_at=utcnow()
                ),
            ]
        )  # fmt: skip
        wanted = StructureFactory(name=f"Demandée par {name}")
        db.session.add(
            JoinRequest(structure_id=wanted.id, user_id=user.id, state=JoinState.PENDING)
        )
        invitation_to(user.email, wanted)
        register(training, user.email, name)
    create_api_key(db.session, "ERP de A", [matrix.structures["A"]])
    create_api_key(db.session, "ERP de B", [matrix.structures["B"]])
    db.session.commit()
    sessions = {
        name: sorted(db.session.scalars(select(AuthSession.id).where(AuthSession.user_id == u.id)))
        for name, u in matrix.users.items()
    }
    keys = {"a_manager": ["ERP de A"], "a_roads_only": ["ERP de A"], "b_manager": ["ERP de B"]}
    for _ in range(2):
        for name in USERS:
            body = reader.get("/api/v1/me/export", headers=tokens[name]).get_json()
            assert body["profile"]["email"] == matrix.users[name].email
            assert [s["id"] for s in body["sessions"]] == sessions[name], name
            assert [d["app_version"] for d in body["devices"]] == [f"{name} 1.0"]
            assert [n["title"] for n in body["notifications"]] == [f"Pour {name}"]
            assert [r["full_name"] for r in body["training_registrations"]] == [
                f"Participant {name}"
            ]
            assert body["newsletter"]["email"] == matrix.users[name].email
            assert [j["structure"]["name"] for j in body["join_requests"]] == [
                f"Demandée par {name}"
            ]
            assert [i["structure"]["name"] for i in body["invitations_received"]] == [
                f"Demandée par {name}"
            ]
            assert [k["name"] for k in body["api_keys"]] == keys.get(name, []), name
            others = [other for other in USERS if other != name]
            text = str(body)
            assert not [o for o in others if matrix.users[o].email in text], name
            # The same rows through the app's own reads: only the caller's.
            asked = reader.get("/api/v1/me/join-requests", headers=tokens[name]).get_json()
            assert [j["structure"]["name"] for j in asked["items"]] == [f"Demandée par {name}"]
            inbox = reader.get("/api/v1/notifications", headers=tokens[name]).get_json()
            assert [n["title"] for n in inbox["items"]] == [f"Pour {name}"], name


# --- a structure's management: sync, portal connection, join requests, members, invitations --

# Who may do what on a structure: the roles table (backend/accounts/roles.py) says it, and
# every route must follow it. `{a_member}` is a member of the structure asked.
MANAGEMENT = {
    ("GET", "sync"): Action.SEE_SYNC,
    ("GET", "join-requests"): Action.ANSWER_JOIN_REQUESTS,
    ("PUT", "connection"): Action.UPDATE_TECHNICAL_ACCOUNT,
    ("DELETE", "connection"): Action.DISCONNECT_STRUCTURE,
    ("POST", "join-requests/1/refuse"): Action.ANSWER_JOIN_REQUESTS,
    ("GET", "members"): Action.SEE_MEMBERS,
    ("GET", "services"): Action.CHANGE_MEMBERS,
    ("PATCH", "members/{a_member}"): Action.CHANGE_MEMBERS,
    ("DELETE", "members/{a_member}"): Action.REMOVE_MEMBERS,
    ("GET", "invitations"): Action.INVITE,
    ("POST", "invitations"): Action.INVITE,
    ("DELETE", "invitations/1"): Action.INVITE,
}
BODIES = {
    "PUT": {"login": "TECH_1@cpro.fr", "password": "x"},
    "POST": {"email": "pirate@exemple.fr"},
    "PATCH": {"role": "main_manager"},
}
ROLES = {"a_manager": ("A", Role.MANAGER), "a_roads_only": ("A", Role.USER)}
ROLES |= {"b_manager": ("B", Role.MAIN_MANAGER)}
MEMBER_OF = {"A": "a_roads_only", "B": "b_manager"}


def test_a_structures_management_follows_each_users_role(
    client: FlaskClient, matrix: Matrix, tokens: dict[str, dict[str, str]]
) -> None:
    """Members without the role get 403, everyone else 404, whatever the structure; the
    rightful ones get through (writes are refused before anything reaches the portal)."""
    for (method, tail), action in MANAGEMENT.items():
        allowed = roles_that_may(action)
        for user in USERS:
            for key, structure in matrix.structures.items():
                mine = ROLES.get(user)
                if mine is None or mine[0] != key:
                    expected = 404
                elif mine[1] in allowed:
                    if method != "GET":
                        continue  # the rightful writes: tests/onboarding, tests/members
                    expected = 200
                else:
                    expected = 403
                member = matrix.users[MEMBER_OF[key]].id
                url = f"/api/v1/structures/{structure.id}/{tail.format(a_member=member)}"
                response = client.open(
                    url, method=method, json=BODIES.get(method), headers=tokens[user]
                )
                assert response.status_code == expected, (method, tail, user, key)


def test_members_and_invitations_of_a_stay_with_a(
    client: FlaskClient, app: Flask, matrix: Matrix, tokens: dict[str, dict[str, str]]
) -> None:
    """B's main manager neither sees nor changes A's members or invitations, not even through
    B's own paths with A's ids; A's members see them only as their role allows."""
    a, b = matrix.structures["A"], matrix.structures["B"]
    main = UserFactory(email="principal.a@exemple.fr")
    MembershipFactory(user=main, structure=a, role=Role.MAIN_MANAGER)
    pair = start_session(db.session, main, config=app.extensions["relais_config"])
    db.session.commit()
    a_main = {"Authorization": f"Bearer {pair.access_token}"}
    sent = client.post(
        f"/api/v1/structures/{a.id}/invitations", json={"email": "invite.a@exemple.fr"},
        headers=a_main,
    )  # fmt: skip
    assert sent.status_code == 201
    invitation = sent.get_json()["id"]
    roads_only = matrix.users["a_roads_only"].id
    before = snapshot_members(a.id)

    b_manager = tokens["b_manager"]
    for url in (f"/api/v1/structures/{a.id}", f"/api/v1/structures/{b.id}"):
        listed = client.get(f"{url}/invitations", headers=b_manager)
        assert "invite.a@exemple.fr" not in listed.get_data(as_text=True)
        members = client.get(f"{url}/members", headers=b_manager)
        assert matrix.users["a_roads_only"].email not in members.get_data(as_text=True)
        revoke = client.delete(f"{url}/invitations/{invitation}", headers=b_manager)
        assert revoke.status_code == 404
        change = client.patch(
            f"{url}/members/{roads_only}", json={"role": "main_manager"}, headers=b_manager
        )
        assert change.status_code == 404
        assert client.delete(f"{url}/members/{roads_only}", headers=b_manager).status_code == 404
    for user, listing in (("a_manager", 200), ("a_roads_only", 403)):
        assert (
            client.get(f"/api/v1/structures/{a.id}/members", headers=tokens[user]).status_code
            == listing
        )
        for method in ("GET", "POST"):
            response = client.open(
                f"/api/v1/structures/{a.id}/invitations", method=method,
                json=BODIES.get(method), headers=tokens[user],
            )  # fmt: skip
            assert response.status_code == 403, (user, method)
    assert snapshot_members(a.id) == before
    [still] = client.get(f"/api/v1/structures/{a.id}/invitations", headers=a_main).get_json()[
        "items"
    ]
    assert still["id"] == invitation


def snapshot_members(structure_id: int) -> list[tuple[int, str]]:
    db.session.commit()
    rows = db.session.execute(
        select(Membership.user_id, Membership.role)
        .where(Membership.structure_id == structure_id)
        .order_by(Membership.user_id)
    )
    return [(user_id, role.value) for user_id, role in rows]


# The rules ENDPOINTS and the invoice-id test cover (tests/test_route_guard.py: every other).
MATRIX_RULES = (
    "/api/v1/invoices",
    "/api/v1/invoices/<int:invoice_id>",
    "/api/v1/summary",
    "/api/v1/dashboard",
    "/api/v1/me",
    "/api/v1/me/export",
)


def test_every_read_endpoint_is_in_the_matrix(app: Flask) -> None:
    """A new GET endpoint of the tracking API must be added to ENDPOINTS (or listed here)."""
    covered = set(MATRIX_RULES)
    tracking = {"invoices", "auth", "privacy"}  # blueprints of the phone's tracking API
    rules = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint.split(".")[0] in tracking
    }
    assert rules == covered
