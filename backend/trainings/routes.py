"""Public training endpoints: the calendar, sign-up, confirmation and cancellation."""

from __future__ import annotations

import hashlib
from typing import Any

from flask.views import MethodView

from backend import links
from backend.api import Blueprint, abort
from backend.db import current_session, utcnow
from backend.extensions import limiter
from backend.links import LinkError
from backend.mail import current_mailer
from backend.mail.addresses import normalize_email
from backend.ratelimits.signup import signup_email_key, signup_limit
from backend.responses import Response
from backend.schemas import TokenIn
from backend.trainings import ical, queries, seats, service
from backend.trainings.models import SessionState
from backend.trainings.present import outcome_message
from backend.trainings.schemas import (
    AcceptedOut,
    FormTokenOut,
    OutcomeOut,
    RegistrationIn,
    TrainingListArgs,
    TrainingListOut,
    TrainingOut,
)
from backend.trainings.settings import current_settings

blp = Blueprint("trainings", __name__, url_prefix="/api/v1", description="Formations")

ACCEPTED = (
    "Demande reçue. Si l'adresse est valide, vous allez recevoir un e-mail : cliquez sur le "
    "lien qu'il contient pour confirmer votre inscription."
)


def calendar_response(body: bytes, filename: str) -> Response:
    blp.set_etag(hashlib.sha256(body).hexdigest())
    response = Response(body, mimetype=ical.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.mimetype_params["charset"] = "utf-8"
    return response


@blp.route("/trainings")
class Trainings(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.arguments(TrainingListArgs, location="query")
    @blp.response(200, TrainingListOut)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Les prochaines sessions publiées, avec les places restantes."""
        now, settings = utcnow(), current_settings()
        found = queries.upcoming(current_session(), now, **args)
        tallies = queries.counts(current_session(), [t.id for t in found])
        return {"items": [queries.public_view(t, tallies[t.id], settings, now) for t in found]}


@blp.route("/trainings/<int:training_id>")
class TrainingDetail(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.response(200, TrainingOut)
    @blp.alt_response(404, description="Session introuvable")
    def get(self, training_id: int) -> dict[str, Any]:
        """Une session : programme, dates, places restantes."""
        training = queries.get(current_session(), training_id)
        if training is None or training.state == SessionState.DRAFT:
            abort(404)
        tally = queries.counts(current_session(), [training.id])[training.id]
        return queries.public_view(training, tally, current_settings(), utcnow())


@blp.route("/trainings/<int:training_id>/calendar.ics")
class TrainingCalendar(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.response(200, content_type=ical.MEDIA_TYPE, description="iCalendar (RFC 5545)")
    @blp.alt_response(404, description="Session introuvable")
    def get(self, training_id: int) -> Response:
        """Une session au format iCalendar (STATUS:CANCELLED si elle est annulée)."""
        training = queries.get(current_session(), training_id)
        if training is None or training.state == SessionState.DRAFT:
            abort(404)
        body = ical.calendar([training], current_settings())
        return calendar_response(body, f"formation-{training.id}.ics")


@blp.route("/trainings/calendar.ics")
class TrainingFeed(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.response(200, content_type=ical.MEDIA_TYPE, description="iCalendar (RFC 5545)")
    def get(self) -> Response:
        """Toutes les sessions en un abonnement d'agenda."""
        trainings = queries.feed(current_session(), utcnow())
        body = ical.calendar(trainings, current_settings(), name="Formations Relais")
        return calendar_response(body, "formations-relais.ics")


@blp.route("/forms/token")
class FormToken(MethodView):
    @blp.doc(security=[])
    @blp.response(200, FormTokenOut)
    def get(self) -> dict[str, Any]:
        """Jeton à demander à l'affichage d'un formulaire d'inscription (anti-robots)."""
        response_headers = {"Cache-Control": "no-store"}
        settings = current_settings()
        token = links.form_token(settings, utcnow())
        return (
            {"form_token": token, "min_seconds": settings.signup_min_seconds},
            200,
            response_headers,
        )  # type: ignore[return-value]


@blp.route("/trainings/<int:training_id>/registrations")
class Registrations(MethodView):
    decorators = [
        limiter.limit(signup_limit, key_func=signup_email_key),
        limiter.limit(signup_limit),
    ]

    @blp.doc(security=[])
    @blp.arguments(RegistrationIn)
    @blp.response(202, AcceptedOut)
    @blp.alt_response(404, description="Session introuvable")
    @blp.alt_response(409, description="Inscriptions closes ou session complète")
    @blp.alt_response(429, description="Trop de demandes")
    def post(self, body: dict[str, Any], training_id: int) -> dict[str, Any]:
        """S'inscrire à une session ; un e-mail demande de confirmer l'adresse."""
        if links.looks_like_a_robot(current_settings(), body, utcnow()):
            return {"message": ACCEPTED}
        applicant = seats.Applicant(
            email=normalize_email(body["email"]),
            full_name=body["full_name"].strip(),
            structure_name=body["structure"].strip(),
            siret=body.get("siret") or None,
        )
        try:
            service.register(
                current_session(),
                current_mailer(),
                current_settings(),
                training_id,
                applicant,
                now=utcnow(),
            )
        except LookupError:
            abort(404)
        except seats.SignupClosed as exc:
            abort(409, message=str(exc))
        return {"message": ACCEPTED}


def _outcome(result: service.Outcome) -> dict[str, Any]:
    reg = result.registration
    view = queries.view_of(current_session(), result.training, current_settings(), utcnow())
    return {
        "state": reg.state.value,
        "message": outcome_message(reg, result.waiting_rank),
        "waiting_rank": result.waiting_rank,
        "email_confirmed": reg.email_confirmed_at is not None,
        "training": view,
    }


@blp.route("/registrations/confirm")
class ConfirmRegistration(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, OutcomeOut)
    @blp.alt_response(400, description="Lien invalide, expiré ou inscription annulée")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Confirmer son inscription avec le jeton reçu par e-mail."""
        try:
            result = service.confirm(
                current_session(), current_mailer(), current_settings(), body["token"], now=utcnow()
            )
        except LinkError as exc:
            abort(400, message=str(exc))
        return _outcome(result)


@blp.route("/registrations/cancel")
class CancelRegistration(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, OutcomeOut)
    @blp.alt_response(400, description="Lien invalide")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Annuler son inscription avec le jeton reçu par e-mail ; la place est réattribuée."""
        try:
            result = service.cancel(
                current_session(), current_mailer(), current_settings(), body["token"], now=utcnow()
            )
        except LinkError as exc:
            abort(400, message=str(exc))
        return _outcome(result)


@blp.route("/registrations/preview")
class PreviewRegistration(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenIn)
    @blp.response(200, OutcomeOut)
    @blp.alt_response(400, description="Lien invalide ou expiré")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Voir l'inscription d'un lien reçu par e-mail avant de confirmer ou d'annuler."""
        try:
            result = service.preview(current_session(), current_settings(), body["token"])
        except LinkError as exc:
            abort(400, message=str(exc))
        return _outcome(result)
