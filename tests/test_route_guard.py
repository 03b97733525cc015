"""Every route of the app is classified, and every guarded one refuses outsiders.

ROUTES says, for each (method, rule) of `app.url_map`, who may call it and how the rightful
user calls it; a route missing from the table fails the first test. Each guarded route is
then called by the rightful user (it works: the path and body are right) and by outsiders:
without credentials (401), without the role (403), as another trainer, another structure or
another user (403/404, or their own empty view). An outsider's answer never carries the
victims' data (every private value of theirs contains MARKER) and leaves the database as it
was, but for the outsider's own rows.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backend.db import utcnow
from backend.trainings.settings import TrainingSettings
from tests.factories import PASSWORD
from tests.payments_api.conftest import ecb_rates
from tests.route_world import MARKER, Rows, World, others, rows, snapshot, world
from tests.test_access_matrix import MATRIX_RULES
from tests.trainings.conftest import form_token

__all__ = ["ecb_rates", "world"]


class Kind(enum.Enum):
    PUBLIC = "anyone, on purpose"
    MATRIX = "scope matrix: test_access_matrix.py shows what each user sees"
    OWN = "the user's own rows"
    STRUCTURE = "a structure's data, by an id in the path"
    TRAINER = "trainers (a session: its trainer) and admins"
    ADMIN = "administrators"
    API_KEY = "integration clients, by API key"
    SIGNED_IN = (
        "anyone logged in: adds a structure by proving its technical account, or accepts an "
        "invitation sent to their own address"
    )


Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Route:
    kind: Kind
    path: str = ""  # with the world's ids: "/api/v1/devices/{device}"
    body: Body = None  # what the rightful user sends; outsiders send the same
    ok: int = 200  # the rightful user's status
    why: str = ""  # public routes: why anyone may call them
    outsiders: dict[str, int] = field(default_factory=dict)  # beyond the kind's defaults


def public(why: str, path: str = "") -> Route:
    """`path`: a GET an anonymous caller makes, to check it shows nothing private."""
    return Route(Kind.PUBLIC, path, why=why)


# Who is refused, and how, on every route of a kind (a route's `outsiders` add or override).
REFUSED = {
    Kind.OWN: {"b_manager": 404},
    Kind.STRUCTURE: {"b_manager": 404, "nobody": 404, "a_roads_only": 404},
    Kind.TRAINER: {"a_member": 403, "a_manager": 403, "other_trainer": 403},
    Kind.ADMIN: {"a_member": 403, "a_manager": 403, "trainer": 403},
    Kind.API_KEY: {"b_key": 200},  # per-item errors, nothing stored
    Kind.MATRIX: {},
    Kind.SIGNED_IN: {},
}
RIGHTFUL = {Kind.OWN: "a_manager", Kind.STRUCTURE: "a_manager", Kind.MATRIX: "a_manager"}
RIGHTFUL |= {Kind.TRAINER: "trainer", Kind.ADMIN: "admin", Kind.API_KEY: "a_key"}
RIGHTFUL[Kind.SIGNED_IN] = "a_manager"


def _paris_day(days: int, hour: int) -> str:
    return f"{(utcnow() + dt.timedelta(days=days)).date().isoformat()}T{hour:02d}:00:00"


def _new_session(w: World) -> dict[str, Any]:
    parts = [{"starts_at": _paris_day(20, 10), "ends_at": _paris_day(20, 11)}]
    return {
        "title": "Gérer les factures de travaux",
        "format": "webinar",
        "audiences": ["moe"],
        "capacity": 30,
        "visio_url": "https://visio.example/travaux",
        "parts": parts,
        "trainer_id": w.ids["trainer"],
    }


def _status_event(w: World) -> dict[str, Any]:
    yesterday = (utcnow() - dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    invoice = {
        "portal_id": w.ids["portal_id"],
        "number": "F-A-0001",
        "structure_siret": w.a.siret,
        "recipient_siret": w.town.siret,
        "amount_incl_tax": "1200.00",
    }
    return {
        "items": [{"invoice": invoice, "changes": [{"code": "MANDATEE", "occurred_at": yesterday}]}]
    }


def _technical_account(w: World, index: int) -> dict[str, Any]:
    assert w.portal is not None
    return w.portal.body(w.portal.supplier(index))


def _new_structure(w: World) -> dict[str, Any]:
    return _technical_account(w, 1)


def _a_connection(w: World) -> dict[str, Any]:
    return {k: v for k, v in _technical_account(w, 0).items() if k != "siret"}


def _my_preferences_in(w: World) -> dict[str, Any]:
    return {"structures": [{"structure_id": w.ids["a"], "every_change": True}]}


V1 = "/api/v1"
T = f"{V1}/trainer/trainings"
# Members of A without the main manager's role.
MAIN_MANAGERS_ONLY = {"a_member": 403, "a_roads_only": 403}
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/"): public("the community site", "/"),
    ("GET", "/<sitepath:path>"): public("the community site's pages and files"),
    ("GET", "/static/<path:filename>"): public("Flask's static files"),
    ("GET", "/api/docs"): public("API reference (Swagger UI)"),
    ("GET", "/api/docs/static/<path:filename>"): public("the API reference's own files"),
    ("GET", "/api/openapi.json"): public("API reference", "/api/openapi.json"),
    ("GET", "/api/swagger-ui/<path:filename>"): public("Swagger UI's files"),
    ("GET", "/app"): public("the supplier's app, redirected to /app/"),
    ("GET", "/app/"): public("the supplier's app: its page (data comes from the API)", "/app/"),
    ("GET", "/app/<path:filename>"): public("the app's files", "/app/js/main.js"),
    ("GET", "/healthz"): public("liveness probe", "/healthz"),
    ("GET", "/readyz"): public("readiness probe", "/readyz"),
    ("POST", f"{V1}/auth/login"): public("logging in"),
    ("POST", f"{V1}/auth/refresh"): public("the refresh token is the credential"),
    ("GET", f"{V1}/trainings"): public("training catalogue", f"{V1}/trainings"),
    ("GET", f"{V1}/trainings/<int:training_id>"): public(
        "a published session (drafts: 404)", f"{V1}/trainings/{{training}}"
    ),
    ("GET", f"{V1}/trainings/<int:training_id>/calendar.ics"): public(
        "a published session's calendar", f"{V1}/trainings/{{training}}/calendar.ics"
    ),
    ("GET", f"{V1}/trainings/calendar.ics"): public(
        "the sessions' calendar feed", f"{V1}/trainings/calendar.ics"
    ),
    ("GET", f"{V1}/forms/token"): public("anti-robot token of the sign-up forms"),
    ("POST", f"{V1}/trainings/<int:training_id>/registrations"): public("signing up"),
    ("POST", f"{V1}/registrations/confirm"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/registrations/cancel"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/registrations/preview"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/accounts"): public("signing up (the e-mailed link creates the account)"),
    ("POST", f"{V1}/accounts/confirm"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/accounts/password-check"): public("a password's verdict while it is typed"),
    ("POST", f"{V1}/accounts/password-reset"): public("a forgotten password"),
    ("POST", f"{V1}/accounts/password-reset/confirm"): public(
        "the e-mailed token is the credential"
    ),
    ("POST", f"{V1}/accounts/email/confirm"): public("the e-mailed token is the credential"),
    ("GET", f"{V1}/announcements"): public("site banner", f"{V1}/announcements"),
    ("POST", f"{V1}/newsletter/subscriptions"): public("newsletter sign-up"),
    ("POST", f"{V1}/newsletter/confirm"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/newsletter/unsubscribe"): public("the e-mailed token is the credential"),
    ("POST", f"{V1}/newsletter/unsubscribe/<string:token>"): public("one-click unsubscribe"),
    **{
        ("GET", rule): Route(Kind.MATRIX, rule.replace("<int:invoice_id>", "{invoice}"))
        for rule in MATRIX_RULES
    },
    ("POST", f"{V1}/auth/logout"): Route(
        Kind.OWN, f"{V1}/auth/logout", ok=204, outsiders={"b_manager": 204}
    ),
    ("GET", f"{V1}/me/join-requests"): Route(
        Kind.OWN, f"{V1}/me/join-requests", outsiders={"b_manager": 200}
    ),
    ("GET", f"{V1}/me/sessions"): Route(
        Kind.OWN, f"{V1}/me/sessions", outsiders={"b_manager": 200}
    ),
    ("DELETE", f"{V1}/me/sessions/<int:session_id>"): Route(
        Kind.OWN, f"{V1}/me/sessions/{{a_session}}", ok=204
    ),
    ("POST", f"{V1}/me/sessions/revoke-others"): Route(
        Kind.OWN, f"{V1}/me/sessions/revoke-others", outsiders={"b_manager": 200}
    ),
    ("PUT", f"{V1}/me/password"): Route(
        Kind.OWN,
        f"{V1}/me/password",
        {"current_password": PASSWORD, "new_password": PASSWORD},  # strong enough, kept
        ok=204,
        outsiders={"b_manager": 204},  # their own password, theirs to change
    ),
    ("POST", f"{V1}/me/email"): Route(
        Kind.OWN,
        f"{V1}/me/email",
        {"password": PASSWORD, "new_email": "nouvelle-adresse@example.fr"},
        ok=202,
        outsiders={"b_manager": 202},  # a link for their own account
    ),
    ("GET", f"{V1}/me/two-factor"): Route(
        Kind.OWN, f"{V1}/me/two-factor", outsiders={"b_manager": 200}
    ),
    ("POST", f"{V1}/me/two-factor"): Route(
        Kind.OWN,
        f"{V1}/me/two-factor",
        ok=201,
        outsiders={"b_manager": 201},  # their own
    ),
    # Without a setup started or 2FA on, these have nothing to act on: a 409 (the other user
    # started their own setup above, so their wrong code is a 401); test_two_factor.py walks
    # them through with real codes.
    ("POST", f"{V1}/me/two-factor/confirm"): Route(
        Kind.OWN,
        f"{V1}/me/two-factor/confirm",
        {"code": "123456"},
        ok=409,
        outsiders={"b_manager": 401},
    ),
    ("DELETE", f"{V1}/me/two-factor"): Route(
        Kind.OWN,
        f"{V1}/me/two-factor",
        {"password": PASSWORD, "code": "123456"},
        ok=409,
        outsiders={"b_manager": 409},
    ),
    ("POST", f"{V1}/me/two-factor/recovery-codes"): Route(
        Kind.OWN,
        f"{V1}/me/two-factor/recovery-codes",
        {"code": "123456"},
        ok=409,
        outsiders={"b_manager": 409},
    ),
    ("PATCH", f"{V1}/me"): Route(
        Kind.OWN, f"{V1}/me", {"full_name": "Nom corrigé"}, outsiders={"b_manager": 200}
    ),
    # A wrong password: the refusal is the same for anyone (tests/privacy walks the deletion
    # through; here a rightful deletion would take A's main manager away from the world).
    ("DELETE", f"{V1}/me"): Route(
        Kind.OWN,
        f"{V1}/me",
        {"password": "pas le bon mot de passe"},
        ok=422,
        outsiders={"b_manager": 422},
    ),
    ("GET", f"{V1}/devices"): Route(Kind.OWN, f"{V1}/devices", outsiders={"b_manager": 200}),
    ("POST", f"{V1}/devices"): Route(
        Kind.OWN,
        f"{V1}/devices",
        {"token": "fresh-device-token-0001", "platform": "android"},
        ok=201,
        outsiders={"b_manager": 201},
    ),
    ("DELETE", f"{V1}/devices/<int:device_id>"): Route(
        Kind.OWN, f"{V1}/devices/{{device}}", ok=204
    ),
    ("GET", f"{V1}/me/notification-preferences"): Route(
        Kind.OWN, f"{V1}/me/notification-preferences", outsiders={"b_manager": 200}
    ),
    ("PUT", f"{V1}/me/notification-preferences"): Route(
        Kind.OWN,
        f"{V1}/me/notification-preferences",
        _my_preferences_in,
        outsiders={"b_manager": 422},  # not a member of A
    ),
    ("GET", f"{V1}/push/web-config"): public(
        "the web app's public Firebase config: it asks before anyone signs in",
        f"{V1}/push/web-config",
    ),
    ("GET", f"{V1}/notifications"): Route(
        Kind.OWN, f"{V1}/notifications", outsiders={"b_manager": 200}
    ),
    ("POST", f"{V1}/notifications/<int:notification_id>/read"): Route(
        Kind.OWN, f"{V1}/notifications/{{notification}}/read", ok=204
    ),
    ("POST", f"{V1}/notifications/read-all"): Route(
        Kind.OWN, f"{V1}/notifications/read-all", ok=204, outsiders={"b_manager": 204}
    ),
    ("GET", f"{V1}/structures/<int:structure_id>/sync"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/sync",
        outsiders={"a_member": 403, "a_roads_only": 403},  # managers only
    ),
    ("POST", f"{V1}/structures"): Route(Kind.SIGNED_IN, f"{V1}/structures", _new_structure, ok=201),
    ("PUT", f"{V1}/structures/<int:structure_id>/connection"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/connection",
        _a_connection,
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("DELETE", f"{V1}/structures/<int:structure_id>/connection"): Route(
        Kind.STRUCTURE, f"{V1}/structures/{{a}}/connection", ok=204, outsiders=MAIN_MANAGERS_ONLY
    ),
    ("GET", f"{V1}/structures/<int:structure_id>/join-requests"): Route(
        Kind.STRUCTURE, f"{V1}/structures/{{a}}/join-requests", outsiders=MAIN_MANAGERS_ONLY
    ),
    ("POST", f"{V1}/structures/<int:structure_id>/join-requests/<int:request_id>/approve"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/join-requests/{{join_request}}/approve",
        {"role": "user"},
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("POST", f"{V1}/structures/<int:structure_id>/join-requests/<int:request_id>/refuse"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/join-requests/{{join_request}}/refuse",
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("GET", f"{V1}/structures/<int:structure_id>/members"): Route(
        Kind.STRUCTURE, f"{V1}/structures/{{a}}/members", outsiders=MAIN_MANAGERS_ONLY
    ),
    ("GET", f"{V1}/structures/<int:structure_id>/services"): Route(
        Kind.STRUCTURE, f"{V1}/structures/{{a}}/services", outsiders=MAIN_MANAGERS_ONLY
    ),
    ("PATCH", f"{V1}/structures/<int:structure_id>/members/<int:user_id>"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/members/{{a_member}}",
        {"role": "manager"},
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("DELETE", f"{V1}/structures/<int:structure_id>/members/<int:user_id>"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/members/{{a_member}}",
        ok=204,
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    # One's own membership. A's only main manager must name another first (leaving itself:
    # tests/members).
    ("POST", f"{V1}/structures/<int:structure_id>/leave"): Route(
        Kind.OWN, f"{V1}/structures/{{a}}/leave", ok=409
    ),
    ("GET", f"{V1}/structures/<int:structure_id>/invitations"): Route(
        Kind.STRUCTURE, f"{V1}/structures/{{a}}/invitations", outsiders=MAIN_MANAGERS_ONLY
    ),
    ("POST", f"{V1}/structures/<int:structure_id>/invitations"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/invitations",
        {"email": "nouvelle.collegue@exemple.fr", "role": "user"},
        ok=201,
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("DELETE", f"{V1}/structures/<int:structure_id>/invitations/<int:invitation_id>"): Route(
        Kind.STRUCTURE,
        f"{V1}/structures/{{a}}/invitations/{{invitation}}",
        ok=204,
        outsiders=MAIN_MANAGERS_ONLY,
    ),
    ("POST", f"{V1}/invitations/preview"): public(
        "an invitation's link: its token, e-mailed to the invited address, is the credential"
    ),
    ("POST", f"{V1}/invitations/sign-up"): public(
        "an invitation's link creates the invited address's account: its token is the credential"
    ),
    ("POST", f"{V1}/invitations/accept"): Route(
        Kind.SIGNED_IN,
        f"{V1}/invitations/accept",
        lambda w: {"token": w.tokens["for_a_manager"]},
    ),
    ("GET", f"{V1}/invoices/<int:invoice_id>/late-payment-claim"): Route(
        Kind.STRUCTURE, f"{V1}/invoices/{{invoice}}/late-payment-claim?format=text"
    ),
    ("GET", f"{T}"): Route(Kind.TRAINER, T, outsiders={"other_trainer": 200}),
    ("POST", f"{T}"): Route(Kind.TRAINER, T, _new_session, ok=201),
    ("GET", f"{T}/<int:training_id>"): Route(Kind.TRAINER, f"{T}/{{training}}"),
    ("PATCH", f"{T}/<int:training_id>"): Route(
        Kind.TRAINER, f"{T}/{{training}}", {"title": "Un autre titre"}
    ),
    ("POST", f"{T}/<int:training_id>/publish"): Route(Kind.TRAINER, f"{T}/{{draft}}/publish"),
    ("POST", f"{T}/<int:training_id>/cancel"): Route(Kind.TRAINER, f"{T}/{{training}}/cancel"),
    ("GET", f"{T}/<int:training_id>/participants"): Route(
        Kind.TRAINER, f"{T}/{{training}}/participants"
    ),
    ("GET", f"{T}/<int:training_id>/participants.csv"): Route(
        Kind.TRAINER, f"{T}/{{training}}/participants.csv"
    ),
    ("PATCH", f"{T}/<int:training_id>/participants/<int:registration_id>"): Route(
        Kind.TRAINER, f"{T}/{{training}}/participants/{{registration}}", {"attended": True}
    ),
    ("DELETE", f"{T}/<int:training_id>/participants/<int:registration_id>"): Route(
        Kind.TRAINER, f"{T}/{{training}}/participants/{{registration}}", ok=204
    ),
    ("GET", f"{V1}/admin/ecb-rates"): Route(Kind.ADMIN, f"{V1}/admin/ecb-rates"),
    ("PUT", f"{V1}/admin/ecb-rates"): Route(
        Kind.ADMIN,
        f"{V1}/admin/ecb-rates",
        {"rates": [{"half_year_start": "2027-01-01", "rate_percent": "2", "source": "BCE"}]},
    ),
    ("PUT", f"{V1}/admin/recipients/<int:recipient_id>/payment-category"): Route(
        Kind.ADMIN, f"{V1}/admin/recipients/{{town}}/payment-category", {"category": "health"}
    ),
    ("GET", f"{V1}/admin/push/dead-letters"): Route(Kind.ADMIN, f"{V1}/admin/push/dead-letters"),
    ("GET", f"{V1}/admin/sync/fleet"): Route(Kind.ADMIN, f"{V1}/admin/sync/fleet"),
    ("POST", f"{V1}/admin/push/dead-letters/<int:delivery_id>/retry"): Route(
        Kind.ADMIN, f"{V1}/admin/push/dead-letters/{{delivery}}/retry", ok=204
    ),
    ("POST", f"{V1}/announcements"): Route(
        Kind.ADMIN, f"{V1}/announcements", {"category": "news", "title": "Nouveautés"}, ok=201
    ),
    ("PATCH", f"{V1}/announcements/<int:announcement_id>"): Route(
        Kind.ADMIN, f"{V1}/announcements/{{announcement}}", {"title": "Autre titre"}
    ),
    ("DELETE", f"{V1}/announcements/<int:announcement_id>"): Route(
        Kind.ADMIN, f"{V1}/announcements/{{announcement}}", ok=204
    ),
    ("POST", f"{V1}/integrations/status-events"): Route(
        Kind.API_KEY, f"{V1}/integrations/status-events", _status_event
    ),
}
# Credentials that must not open a door: none, forged, revoked (a bearer token is no API key).
NO_TOKEN = ("anonymous", "garbage_token", "forged_token", "expired_token", "refresh_token")
NO_TOKEN += ("revoked_token", "disabled_user")
NO_KEY = ("anonymous_key", "garbage_key", "revoked_key", "a_bearer")
GUARDED = [key for key, route in ROUTES.items() if route.kind is not Kind.PUBLIC]
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _name(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


def _call(client: FlaskClient, w: World, key: tuple[str, str], who: str | None) -> TestResponse:
    route = ROUTES[key]
    body = route.body(w) if callable(route.body) else route.body
    headers = w.headers[who] if who else {}
    return client.open(route.path.format(**w.ids), method=key[0], json=body, headers=headers)


def _faults(response: TestResponse, expected: int) -> list[str]:
    """What is wrong with an outsider's answer: its status, its type, the victims' data."""
    text = response.get_data(as_text=True)
    faults = []
    if response.status_code != expected:
        faults.append(f"status {response.status_code} (expected {expected}): {text[:300]}")
    if expected >= 400 and response.mimetype != "application/problem+json":
        faults.append(f"type {response.mimetype}")
    if MARKER in text.lower():
        faults.append("shows the victims' data")
    return faults


def _changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return [f"changed {table}" for table in before if before[table] != after[table]]


# --- the table is complete, and the documentation agrees with it ----------------------------


def test_every_route_is_classified(app: Flask) -> None:
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
    }
    assert sorted(rules - set(ROUTES)) == [], "classify these routes in ROUTES"
    assert sorted(set(ROUTES) - rules) == [], "these routes no longer exist"
    assert all(route.why for route in ROUTES.values() if route.kind is Kind.PUBLIC)


def _documented_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_the_documentation_agrees_with_the_table(app: Flask) -> None:
    """Public operations say `security: []`, the integration one its API key; others 401."""
    paths = app.test_client().get("/api/openapi.json").get_json()["paths"]
    documented = 0
    for (method, rule), route in ROUTES.items():
        operation = paths.get(_documented_path(rule), {}).get(method.lower())
        if operation is None:
            assert route.kind is Kind.PUBLIC, (method, rule)
            continue
        documented += 1
        security = operation.get("security")
        assert (security == []) == (route.kind is Kind.PUBLIC), (method, rule)
        assert (security == [{"apiKey": []}]) == (route.kind is Kind.API_KEY), (method, rule)
        refusals = {401} if route.kind is not Kind.PUBLIC else set()
        refused = REFUSED.get(route.kind, {}) | route.outsiders
        refusals |= {status for status in refused.values() if status >= 400}
        assert refusals <= {int(s) for s in operation["responses"]}, (method, rule)
    assert documented == sum(len(ops) - ("parameters" in ops) for ops in paths.values())


# --- the rightful user gets through: the table's paths and bodies are right -----------------


@pytest.mark.parametrize("key", GUARDED, ids=_name)
def test_the_rightful_user_gets_through(
    client: FlaskClient, world: World, key: tuple[str, str]
) -> None:
    route = ROUTES[key]
    response = _call(client, world, key, RIGHTFUL[route.kind])
    assert response.status_code == route.ok, response.get_data(as_text=True)[:500]
    if route.kind is Kind.API_KEY:
        assert response.get_json()["rejected"] == 0, response.get_json()


# --- outsiders -------------------------------------------------------------------------------


def _cases(kinds: tuple[Kind, ...], names: tuple[str, ...]) -> list[tuple[Any, str, int]]:
    """(route, outsider, expected status) of these outsiders on the routes of these kinds."""
    cases = []
    for key, route in ROUTES.items():
        if route.kind in kinds:
            refused = REFUSED[route.kind] | route.outsiders
            cases += [(key, who, refused[who]) for who in names if who in refused]
    return cases


OUTSIDERS = {
    "no credentials": [
        (key, who, 401)
        for key in GUARDED
        for who in (NO_KEY if ROUTES[key].kind is Kind.API_KEY else NO_TOKEN)
    ],
    "without the role": _cases((Kind.ADMIN, Kind.TRAINER), ("a_member", "a_manager", "trainer")),
    "another trainer": _cases((Kind.TRAINER,), ("other_trainer",)),
    "outside the structure": _cases(
        (Kind.STRUCTURE,), ("b_manager", "nobody", "a_roads_only", "a_member")
    ),
    "another user": _cases((Kind.OWN,), ("b_manager",)),
    "another structure's key": _cases((Kind.API_KEY,), ("b_key",)),
}


def _outsider_faults(
    client: FlaskClient, w: World, key: tuple[str, str], who: str, expected: int, before: Rows
) -> tuple[list[str], Rows]:
    """What went wrong with this call, and the rows after it (the next call's `before`)."""
    w.log_in_again(who)  # their last call may have been a logout; their own rows don't count
    response = _call(client, w, key, who)
    after, user = rows(), w.ids.get(who)
    faults = _faults(response, expected) + _changed(others(before, user), others(after, user))
    if ROUTES[key].kind is Kind.API_KEY and expected == 200:
        statuses = [r["status"] for r in response.get_json()["results"]]
        faults += [f"items {statuses}"] if statuses != ["error"] else []
    return faults, after


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_neither_data_nor_changes(
    client: FlaskClient, world: World, outsider: str
) -> None:
    """One world for every call: an outsider's call changes nothing, so the next one is fair."""
    assert OUTSIDERS[outsider]
    failures, before = [], rows()
    for key, who, expected in OUTSIDERS[outsider]:
        faults, before = _outsider_faults(client, world, key, who, expected, before)
        failures += [f"{who} {_name(key)}: {fault}" for fault in faults]
    assert not failures, "\n".join(failures)


def test_a_trainer_cannot_reach_another_sessions_participant_through_their_own(
    client: FlaskClient, world: World
) -> None:
    """The registration id belongs to the trainer's session, not only the session id."""
    own = world.ids["other_training"]
    path = f"{T}/{own}/participants/{world.ids['registration']}"
    before = snapshot(None)
    for method, body in (("PATCH", {"attended": True}), ("DELETE", None)):
        response = client.open(
            path, method=method, json=body, headers=world.headers["other_trainer"]
        )
        assert _faults(response, 404) == [], method
    assert snapshot(None) == before


def test_a_draft_takes_no_sign_up(client: FlaskClient, world: World, app: Flask) -> None:
    settings = TrainingSettings.from_config(app.extensions["relais_config"])
    body = {"full_name": "Léa Garnier", "email": "lea@exemple.fr", "structure": "Garnier"}
    body |= {"consent": True, "form_token": form_token(settings)}
    before = snapshot(None)
    response = client.post(f"{V1}/trainings/{world.ids['draft']}/registrations", json=body)
    assert _faults(response, 404) == []
    assert snapshot(None) == before


# Anonymous reads of public routes (drafts and announcements to come are not public).
PUBLIC_READS = [r.path for r in ROUTES.values() if r.kind is Kind.PUBLIC and r.path]
PUBLIC_READS += [f"{V1}/trainings/{{draft}}", f"{V1}/trainings/{{draft}}/calendar.ics"]


def test_public_reads_show_nothing_private(client: FlaskClient, world: World) -> None:
    for path in PUBLIC_READS:
        response = client.get(path.format(**world.ids))
        # Drafts are not public; the site answers 404 until `make run` has built it.
        expected = {404} if "{draft}" in path else {200, 404} if path == "/" else {200}
        assert response.status_code in expected, path
        assert MARKER not in response.get_data(as_text=True).lower(), path
        response.close()  # the site's files: the test client leaves them open otherwise
