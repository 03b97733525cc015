"""The /_sandbox/ admin endpoints (JSON): a test in another process flips faults here."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from flask import Flask, Response, jsonify, request

from backend.portal.sandbox.core import Sandbox
from backend.portal.sandbox.render import STYLES


def register_admin(app: Flask, sandbox: Sandbox) -> None:
    """Attach the admin endpoints; they exist only in the sandbox, never on the portal."""

    def body() -> dict:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    @app.get("/_sandbox/state")
    def state() -> Response:
        """Clock, faults, call counts and invoices per status."""
        counts = Counter(r[0] for r in sandbox.store.rows("SELECT status FROM invoices"))
        return jsonify(now=sandbox.clock().isoformat(), faults=sandbox.faults.snapshot(),
                       calls=dict(sandbox.calls), statuses=dict(counts))  # fmt: skip

    @app.get("/_sandbox/calls")
    def call_log() -> Response:
        """Every API call as it arrived: [[epoch seconds, HTTP status], …], from `since`."""
        return jsonify(calls=sandbox.calls_since(float(request.args.get("since", 0))))

    @app.post("/_sandbox/faults")
    def faults() -> Response | tuple[Response, int]:
        """Set some fault knobs, e.g. {"fail_calls": 2, "fail_status": 503}."""
        try:
            return jsonify(sandbox.faults.configure(**body()))
        except ValueError as exc:
            return jsonify(error=str(exc)), 400

    @app.post("/_sandbox/wire")
    def wire() -> Response | tuple[Response, int]:
        """Answer in today's spelling or the older one: {"style": "current" | "legacy"}."""
        style = STYLES.get(str(body().get("style")))
        if style is None:
            return jsonify(error=f"style parmi : {', '.join(STYLES)}"), 400
        sandbox.wire = style
        return jsonify(style=style.name)

    @app.post("/_sandbox/faults/reset")
    def reset() -> Response:
        sandbox.faults.reset()
        return jsonify(sandbox.faults.snapshot())

    @app.post("/_sandbox/tokens/expire")
    def expire_tokens() -> Response:
        """Revoke every issued token before its stated expiry."""
        sandbox.expire_tokens()
        return jsonify(ok=True)

    @app.get("/_sandbox/accounts")
    def accounts() -> Response:
        """The technical accounts and their (sandbox) passwords."""
        return jsonify(accounts=sandbox.accounts())

    @app.get("/_sandbox/cases")
    def cases() -> Response:
        """Onboarding's accounts: not connected in API mode, expired, and the unclaimed one."""
        return jsonify(cases=sandbox.cases())

    @app.post("/_sandbox/accounts/<login>/password")
    def set_password(login: str) -> Response:
        """Renew a password on the portal: {"password": ..., "expires_on": "YYYY-MM-DD"}."""
        data = body()
        sandbox.set_password(
            login, str(data["password"]), dt.date.fromisoformat(str(data["expires_on"]))
        )
        return jsonify(ok=True)

    @app.post("/_sandbox/structures/<siret>/api-mode")
    def api_mode(siret: str) -> Response | tuple[Response, int]:
        """Connect a structure in API mode or not: {"connected": true | false}."""
        try:
            sandbox.set_api_mode(siret, bool(body().get("connected", True)))
        except KeyError:
            return jsonify(error="structure inconnue"), 404
        return jsonify(ok=True)

    @app.post("/_sandbox/accounts/<login>/expire-password")
    def expire_password(login: str) -> Response:
        on = body().get("on")
        sandbox.expire_password(login, dt.date.fromisoformat(on) if on else None)
        return jsonify(ok=True)

    @app.post("/_sandbox/advance")
    def advance() -> Response:
        """Play the lifecycle up to {"now": ISO date-time} or the sandbox clock."""
        now = body().get("now")
        changes = sandbox.advance(dt.datetime.fromisoformat(now) if now else None)
        return jsonify(changes=[_change(c) for c in changes])

    @app.post("/_sandbox/tick")
    def tick() -> Response:
        """Move {"count": n} live invoices right now, or stamped {"at": ISO date-time}."""
        at = body().get("at")
        changes = sandbox.tick(
            int(body().get("count", 3)), dt.datetime.fromisoformat(at) if at else None
        )
        return jsonify(changes=[_change(c) for c in changes])

    @app.post("/_sandbox/invoices/<int:invoice_id>/status")
    def set_status(invoice_id: int) -> Response:
        """Stamp {"code": ..., "comment": ...} on an invoice now."""
        data = body()
        sandbox.set_status(invoice_id, str(data["code"]), data.get("comment"))
        return jsonify(ok=True)


def _change(change: object) -> dict:
    values = dict(vars(change))
    values["at"] = values["at"].isoformat()
    return values
