"""Account management: sign-up with a confirmed address, forgotten and changed passwords, a
new address. Every answer that names an address is the same whether it has an account."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import current_app, g
from flask.views import MethodView

from backend.accounts import recovery, signup
from backend.accounts.account_schemas import (
    AccountCreatedOut,
    EmailChangeIn,
    MessageOut,
    PasswordChangeIn,
    PasswordCheckIn,
    PasswordCheckOut,
    ResetIn,
    ResetRequestIn,
    SignUpIn,
)
from backend.accounts.auth import auth_required, current_user
from backend.accounts.emailed import LinkRefused, Purpose
from backend.accounts.passwords import WeakPassword
from backend.accounts.settings import current_settings, current_time
from backend.api import Blueprint, abort
from backend.db import current_session
from backend.extensions import limiter
from backend.mail import current_mailer
from backend.ratelimits.keys import email_key
from backend.schemas import TokenIn

blp = Blueprint(
    "accounts", __name__, url_prefix="/api/v1",
    description="Création du compte, mot de passe et adresse e-mail",
)  # fmt: skip

SIGNED_UP = (
    "Demande reçue. Un e-mail vient d'être envoyé à cette adresse : ouvrez le lien qu'il "
    "contient pour activer votre compte."
)
RESET_SENT = (
    "Demande reçue. Si un compte utilise cette adresse, un e-mail vient d'y être envoyé : "
    "ouvrez le lien qu'il contient pour choisir un nouveau mot de passe."
)
EMAIL_SENT = (
    "Demande reçue. Un e-mail vient d'être envoyé à la nouvelle adresse : ouvrez le lien qu'il "
    "contient pour confirmer le changement. D'ici là, votre adresse reste la même."
)
INVALID_LINK = "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier."
LINK_MESSAGES = {
    (Purpose.SIGN_UP, "expired"): "Ce lien a expiré. Recommencez l'inscription pour en "
    "recevoir un nouveau.",
    (Purpose.SIGN_UP, "used"): "Ce lien a déjà servi : votre compte est activé, connectez-vous.",
    (Purpose.PASSWORD_RESET, "expired"): "Ce lien a expiré. Demandez un nouveau lien pour "
    "choisir votre mot de passe.",
    (Purpose.PASSWORD_RESET, "used"): "Ce lien a déjà servi. Si besoin, demandez un nouveau "
    "lien pour choisir votre mot de passe.",
    (Purpose.EMAIL_CHANGE, "expired"): "Ce lien a expiré. Demandez à nouveau le changement "
    "d'adresse depuis votre compte.",
    (Purpose.EMAIL_CHANGE, "used"): "Ce lien a déjà servi. Si votre adresse n'a pas changé, "
    "demandez à nouveau le changement depuis votre compte.",
}
DEMO_REFUSED = (
    "Les comptes de démonstration ne peuvent changer ni leur mot de passe ni leur adresse e-mail."
)
WRONG_PASSWORD = "Mot de passe actuel incorrect."
ACCOUNT_EXISTS = "Un compte existe déjà pour cette adresse : connectez-vous."
ADDRESS_TAKEN = "Cette adresse est déjà celle d'un autre compte : le changement est impossible."
BAD_LINK_DOC = "Lien invalide, expiré ou déjà utilisé"


def _config() -> Any:
    return current_app.extensions["relais_config"]


def _account_limit() -> str:
    return str(_config().account_rate_limit)


def _link_limit() -> str:
    return str(_config().account_link_rate_limit)


def _login_limit() -> str:
    return str(_config().login_rate_limit)


def _check_limit() -> str:
    return str(_config().password_check_rate_limit)


def _refuse_link(purpose: Purpose, refused: LinkRefused) -> NoReturn:
    abort(400, message=LINK_MESSAGES.get((purpose, refused.reason), INVALID_LINK))


def _refuse_field(field: str, reason: str) -> NoReturn:
    abort(422, messages={"json": {field: [reason]}})


@blp.route("/accounts")
class Accounts(MethodView):
    decorators = [
        limiter.limit(_account_limit, key_func=email_key("account-sign-up")),
        limiter.limit(_account_limit),
    ]

    @blp.doc(security=[])
    @blp.arguments(SignUpIn)
    @blp.response(202, MessageOut)
    @blp.problem(422, "Données invalides ou mot de passe trop faible")
    @blp.problem(429, "Trop de demandes")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer un compte : un e-mail demande d'ouvrir un lien pour l'activer."""
        try:
            signup.sign_up(
                current_session(), current_mailer(), current_settings(), now=current_time(), **body
            )
        except WeakPassword as exc:
            _refuse_field("password", str(exc))
        return {"message": SIGNED_UP}


@blp.route("/accounts/password-check")
class PasswordCheck(MethodView):
    decorators = [limiter.limit(_check_limit)]

    @blp.doc(security=[])
    @blp.arguments(PasswordCheckIn)
    @blp.response(200, PasswordCheckOut)
    @blp.problem(429, "Trop de demandes")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Avis sur un mot de passe en cours de saisie : la règle de l'inscription, sans rien créer.

        Le même verdict que l'inscription, le changement et la réinitialisation (longueur,
        score zxcvbn, nom et adresse repris), avec sa raison en français ; rien n'est gardé."""
        try:
            personal = [text for text in (body["email"], body["full_name"]) if text.strip()]
            signup.check_password(current_settings(), body["password"], *personal)
        except WeakPassword as exc:
            return {"acceptable": False, "message": str(exc)}
        return {"acceptable": True, "message": None}


@blp.route("/accounts/confirm")
class ConfirmAccount(MethodView):
    decorators = [limiter.limit(_link_limit)]

    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(201, AccountCreatedOut)
    @blp.problem(400, BAD_LINK_DOC)
    @blp.problem(409, "Un compte existe déjà pour cette adresse")
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Activer son compte avec le jeton reçu par e-mail."""
        try:
            user = signup.confirm(current_session(), body["token"], now=current_time())
        except LinkRefused as exc:
            _refuse_link(Purpose.SIGN_UP, exc)
        except signup.AccountExists:
            abort(409, message=ACCOUNT_EXISTS)
        message = "Compte activé : connectez-vous avec votre adresse et votre mot de passe."
        return {"message": message, "email": user.email}


@blp.route("/accounts/password-reset")
class PasswordReset(MethodView):
    decorators = [
        limiter.limit(_account_limit, key_func=email_key("account-reset")),
        limiter.limit(_account_limit),
    ]

    @blp.doc(security=[])
    @blp.arguments(ResetRequestIn)
    @blp.response(202, MessageOut)
    @blp.problem(429, "Trop de demandes")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Mot de passe oublié : un lien pour en choisir un nouveau est envoyé par e-mail."""
        recovery.request_reset(
            current_session(), current_mailer(), current_settings(), body["email"],
            now=current_time(),
        )  # fmt: skip
        return {"message": RESET_SENT}


@blp.route("/accounts/password-reset/confirm")
class PasswordResetConfirm(MethodView):
    decorators = [limiter.limit(_link_limit)]

    @blp.doc(security=[])
    @blp.arguments(ResetIn)
    @blp.response(200, MessageOut)
    @blp.problem(400, BAD_LINK_DOC)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(422, "Données invalides ou mot de passe trop faible")
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Choisir un nouveau mot de passe avec le jeton reçu ; toutes les sessions sont fermées."""
        try:
            recovery.reset(
                current_session(), current_mailer(), current_settings(), body["token"],
                body["password"], now=current_time(),
            )  # fmt: skip
        except LinkRefused as exc:
            _refuse_link(Purpose.PASSWORD_RESET, exc)
        except recovery.DemoAccount:
            abort(403, message=DEMO_REFUSED)
        except WeakPassword as exc:
            _refuse_field("password", str(exc))
        return {"message": "Mot de passe enregistré : connectez-vous avec le nouveau."}


@blp.route("/accounts/email/confirm")
class EmailChangeConfirm(MethodView):
    decorators = [limiter.limit(_link_limit)]

    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, AccountCreatedOut)
    @blp.problem(400, BAD_LINK_DOC)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(409, "Adresse déjà utilisée par un autre compte")
    @blp.problem(429, "Trop de tentatives")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Confirmer sa nouvelle adresse avec le jeton reçu ; l'ancienne est prévenue."""
        try:
            user = recovery.confirm_email_change(
                current_session(), current_mailer(), current_settings(), body["token"],
                now=current_time(),
            )  # fmt: skip
        except LinkRefused as exc:
            _refuse_link(Purpose.EMAIL_CHANGE, exc)
        except recovery.DemoAccount:
            abort(403, message=DEMO_REFUSED)
        except recovery.AddressTaken:
            abort(409, message=ADDRESS_TAKEN)
        message = "Adresse confirmée : connectez-vous désormais avec elle."
        return {"message": message, "email": user.email}


@blp.route("/me/password")
class MyPassword(MethodView):
    decorators = [limiter.limit(_login_limit)]

    @blp.arguments(PasswordChangeIn)
    @blp.response(204)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(422, "Mot de passe actuel incorrect, ou nouveau mot de passe trop faible")
    @blp.problem(429, "Trop de tentatives")
    @auth_required
    def put(self, body: dict[str, Any]) -> None:
        """Changer son mot de passe ; les autres sessions sont fermées, celle-ci reste ouverte."""
        try:
            recovery.change_password(
                current_session(), current_mailer(), current_settings(), current_user(),
                body["current_password"], body["new_password"],
                current_session_id=g.session_id, now=current_time(),
            )  # fmt: skip
        except recovery.DemoAccount:
            abort(403, message=DEMO_REFUSED)
        except recovery.WrongPassword:
            _refuse_field("current_password", WRONG_PASSWORD)
        except WeakPassword as exc:
            _refuse_field("new_password", str(exc))


@blp.route("/me/email")
class MyEmail(MethodView):
    decorators = [limiter.limit(_login_limit)]

    @blp.arguments(EmailChangeIn)
    @blp.response(202, MessageOut)
    @blp.problem(403, "Compte de démonstration")
    @blp.problem(422, "Mot de passe incorrect, ou adresse invalide ou inchangée")
    @blp.problem(429, "Trop de demandes")
    @auth_required
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Changer d'adresse e-mail : un lien est envoyé à la nouvelle pour la confirmer."""
        try:
            recovery.request_email_change(
                current_session(), current_mailer(), current_settings(), current_user(),
                body["password"], body["new_email"], now=current_time(),
            )  # fmt: skip
        except recovery.DemoAccount:
            abort(403, message=DEMO_REFUSED)
        except recovery.WrongPassword:
            _refuse_field("password", WRONG_PASSWORD)
        except recovery.SameAddress:
            _refuse_field("new_email", "C'est déjà l'adresse de votre compte.")
        return {"message": EMAIL_SENT}
