"""Two-factor authentication of the person's own account: start, confirm, turn off, renew
the recovery codes. Login itself asks for the code (`routes.Login`)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from flask import current_app
from flask.views import MethodView

from backend import i18n
from backend.accounts import letters, twofactor
from backend.accounts.auth import auth_required, current_user
from backend.accounts.settings import current_settings, current_time
from backend.accounts.twofactor_schemas import (
    RecoveryCodesOut,
    TwoFactorCodeIn,
    TwoFactorDisableIn,
    TwoFactorSetupOut,
    TwoFactorStatusOut,
)
from backend.api import Blueprint, abort
from backend.db import current_session, db
from backend.extensions import limiter
from backend.mail import current_mailer, deliver

blp = Blueprint(
    "two_factor", __name__, url_prefix="/api/v1", description="Double authentification (TOTP)"
)

PROBLEM = "urn:relais:problem:"
REQUIRED = PROBLEM + "two-factor-required"
INVALID = PROBLEM + "two-factor-invalid"
DEMO_REFUSED = (
    "Les comptes de démonstration sont partagés : ils ne peuvent pas activer la double "
    "authentification."
)
ALREADY = (
    "La double authentification est déjà activée. Désactivez-la d'abord pour changer d'application."
)
NOT_STARTED = (
    "Aucune activation en cours : demandez d'abord un secret (POST /api/v1/me/two-factor)."
)
NOT_ENABLED = "La double authentification n'est pas activée sur ce compte."
WRONG_PASSWORD = "Mot de passe incorrect."


def _config() -> Any:
    return current_app.extensions["relais_config"]


def _limit() -> str:
    return str(_config().login_rate_limit)


def policy() -> twofactor.Policy:
    """The lockout the configuration sets (TWO_FACTOR_MAX_FAILURES, TWO_FACTOR_LOCKOUT_MINUTES)."""
    config = _config()
    return twofactor.Policy(
        max_failures=config.two_factor_max_failures,
        lockout=dt.timedelta(minutes=config.two_factor_lockout_minutes),
    )


def refuse_code(exc: twofactor.InvalidCode | twofactor.Locked) -> NoReturn:
    """The answer to a wrong code (401) or a locked second factor (429 with Retry-After)."""
    db.session.commit()  # the failure counts, whatever the answer
    if isinstance(exc, twofactor.Locked):
        wait = max(1, int((exc.until - current_time()).total_seconds()))
        abort(
            429, message=i18n.message("two_factor_locked"), type=PROBLEM + "two-factor-locked",
            headers={"Retry-After": str(wait)},
        )  # fmt: skip
    abort(401, message=i18n.message("two_factor_invalid"), type=INVALID)


@blp.route("/me/two-factor")
class MyTwoFactor(MethodView):
    @blp.response(200, TwoFactorStatusOut)
    @auth_required
    def get(self) -> dict[str, Any]:
        """Ma double authentification : activée ou non, codes de secours restants."""
        user = current_user()
        factor = twofactor.find(current_session(), user.id)
        on = factor is not None and factor.enabled_at is not None
        left = twofactor.remaining_recovery_codes(current_session(), user.id) if on else 0
        return {"enabled": on, "recovery_codes_left": left}

    @blp.response(201, TwoFactorSetupOut)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(409, "Déjà activée")
    @auth_required
    def post(self) -> dict[str, Any]:
        """Commencer l'activation : un secret et son URI otpauth:// (pas encore actif)."""
        try:
            setup = twofactor.start(
                current_session(), current_user(), _config().credentials_key, now=current_time()
            )
        except twofactor.DemoAccount:
            abort(403, message=DEMO_REFUSED)
        except twofactor.AlreadyEnabled:
            abort(409, message=ALREADY)
        db.session.commit()
        return {"secret": setup.secret, "otpauth_uri": setup.uri}

    @blp.arguments(TwoFactorDisableIn)
    @blp.response(204)
    @blp.problem(401, "Code incorrect, expiré ou déjà utilisé")
    @blp.problem(409, "Double authentification non activée")
    @blp.problem(422, "Mot de passe incorrect")
    @blp.problem(429, "Trop de tentatives")
    @limiter.limit(_limit)
    @auth_required
    def delete(self, body: dict[str, Any]) -> None:
        """Désactiver : le mot de passe et un code (ou un code de secours) sont demandés."""
        user = current_user()
        try:
            twofactor.disable(
                current_session(), user, body["password"], body["code"],
                _config().credentials_key, policy(), now=current_time(),
            )  # fmt: skip
        except twofactor.NotEnabled:
            abort(409, message=NOT_ENABLED)
        except twofactor.WrongPassword:
            abort(422, messages={"json": {"password": [WRONG_PASSWORD]}})
        except (twofactor.InvalidCode, twofactor.Locked) as exc:
            refuse_code(exc)
        email = user.email
        db.session.commit()
        settings = current_settings()
        deliver(current_mailer(), settings.mail_from, letters.two_factor_disabled(settings, email))


@blp.route("/me/two-factor/confirm")
class ConfirmTwoFactor(MethodView):
    @blp.arguments(TwoFactorCodeIn)
    @blp.response(200, RecoveryCodesOut)
    @blp.problem(401, "Code incorrect ou expiré")
    @blp.problem(409, "Aucune activation en cours")
    @blp.problem(429, "Trop de tentatives")
    @limiter.limit(_limit)
    @auth_required
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Activer avec un premier code ; la réponse donne, une seule fois, les codes de secours."""
        user = current_user()
        try:
            codes = twofactor.confirm(
                current_session(), user, body["code"], _config().credentials_key,
                now=current_time(),
            )  # fmt: skip
        except twofactor.NotEnabled:
            abort(409, message=NOT_STARTED)
        except twofactor.InvalidCode:
            abort(401, message=i18n.message("two_factor_invalid"), type=INVALID)
        email = user.email
        db.session.commit()
        settings = current_settings()
        deliver(current_mailer(), settings.mail_from, letters.two_factor_enabled(settings, email))
        return {"recovery_codes": codes}


@blp.route("/me/two-factor/recovery-codes")
class RecoveryCodes(MethodView):
    @blp.arguments(TwoFactorCodeIn)
    @blp.response(200, RecoveryCodesOut)
    @blp.problem(401, "Code incorrect, expiré ou déjà utilisé")
    @blp.problem(409, "Double authentification non activée")
    @blp.problem(429, "Trop de tentatives")
    @limiter.limit(_limit)
    @auth_required
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Nouveaux codes de secours (les anciens ne servent plus) ; un code est demandé."""
        try:
            codes = twofactor.renew_recovery_codes(
                current_session(), current_user(), body["code"], _config().credentials_key,
                policy(), now=current_time(),
            )  # fmt: skip
        except twofactor.NotEnabled:
            abort(409, message=NOT_ENABLED)
        except (twofactor.InvalidCode, twofactor.Locked) as exc:
            refuse_code(exc)
        db.session.commit()
        return {"recovery_codes": codes}
