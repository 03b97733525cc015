"""Newsletter endpoints: subscribe (double opt-in), confirm, unsubscribe in one click."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from backend import links
from backend.announcements import newsletter
from backend.announcements.schemas import NewsletterOut, SubscriptionIn
from backend.api import Blueprint, abort
from backend.db import current_session, utcnow
from backend.extensions import limiter
from backend.links import LinkError, current_link_settings
from backend.mail import current_mailer
from backend.mail.addresses import normalize_email
from backend.ratelimits.signup import signup_email_key, signup_limit
from backend.schemas import TokenIn

blp = Blueprint("newsletter", __name__, url_prefix="/api/v1", description="Lettre d'information")

ACCEPTED = (
    "Demande reçue. Si cette adresse n'est pas déjà abonnée, un e-mail de confirmation "
    "vient de lui être envoyé."
)


@blp.route("/newsletter/subscriptions")
class Subscriptions(MethodView):
    decorators = [
        limiter.limit(signup_limit, key_func=signup_email_key),
        limiter.limit(signup_limit),
    ]

    @blp.doc(security=[])
    @blp.arguments(SubscriptionIn)
    @blp.response(202, NewsletterOut)
    @blp.alt_response(429, description="Trop de demandes")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """S'abonner ; la réponse est la même que l'adresse soit abonnée ou non."""
        settings = current_link_settings()
        if not links.looks_like_a_robot(settings, body, utcnow()):
            email = normalize_email(body["email"])
            newsletter.subscribe(current_session(), current_mailer(), settings, email, utcnow())
        return {"message": ACCEPTED}


@blp.route("/newsletter/confirm")
class Confirm(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, NewsletterOut)
    @blp.alt_response(400, description="Lien invalide ou expiré")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Confirmer l'abonnement avec le jeton reçu par e-mail."""
        try:
            newsletter.confirm(
                current_session(),
                current_mailer(),
                current_link_settings(),
                body["token"],
                utcnow(),
            )
        except LinkError as exc:
            abort(400, message=str(exc))
        return {"message": "Votre abonnement est confirmé."}


def _unsubscribe(token: str) -> dict[str, Any]:
    try:
        newsletter.unsubscribe(current_session(), current_link_settings(), token, utcnow())
    except LinkError as exc:
        abort(400, message=str(exc))
    return {"message": "Vous êtes désabonné. Vous ne recevrez plus la lettre d'information."}


@blp.route("/newsletter/unsubscribe")
class Unsubscribe(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, NewsletterOut)
    @blp.alt_response(400, description="Lien invalide")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Se désabonner avec le jeton du lien reçu."""
        return _unsubscribe(body["token"])


@blp.route("/newsletter/unsubscribe/<string:token>")
class OneClickUnsubscribe(MethodView):
    @blp.doc(security=[])
    @blp.response(200, NewsletterOut)
    @blp.alt_response(400, description="Lien invalide")
    def post(self, token: str) -> dict[str, Any]:
        """Désinscription en un clic (RFC 8058, en-tête List-Unsubscribe-Post)."""
        return _unsubscribe(token)
