"""Trainers' and admins' endpoints: sessions, participants, CSV export, attendance."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

from flask.views import MethodView
from sqlalchemy import select

from backend.accounts.auth import auth_required, current_user
from backend.accounts.models import User
from backend.api import Blueprint, abort
from backend.db import current_session, utcnow
from backend.mail import current_mailer
from backend.responses import Response
from backend.trainings import export, manage, queries, service
from backend.trainings.models import Registration, TrainingSession
from backend.trainings.schemas import (
    PART_COUNT,
    AttendanceIn,
    ManagedListOut,
    ManagedTrainingOut,
    ManageListArgs,
    ParticipantListOut,
    ParticipantOut,
    TrainingIn,
    TrainingPatchIn,
)
from backend.trainings.settings import current_settings

blp = Blueprint(
    "trainer", __name__, url_prefix="/api/v1", description="Formations : outils des formateurs"
)
F = TypeVar("F", bound=Callable[..., Any])
NOT_TRAINER = "Réservé aux formateurs et aux administrateurs."
NOT_YOURS = "Vous n'animez pas cette session."


def trainer_required(func: F) -> F:
    """A valid token of a trainer or an admin; anyone else gets 403."""

    @auth_required
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if not (user.is_trainer or user.is_admin):
            abort(403, message=NOT_TRAINER)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _training(training_id: int) -> TrainingSession:
    training = queries.get(current_session(), training_id)
    if training is None:
        abort(404)
    if not manage.may_manage(current_user(), training):
        abort(403, message=NOT_YOURS)
    return training


def _registration(training: TrainingSession, registration_id: int) -> Registration:
    reg = current_session().get(Registration, registration_id)
    if reg is None or reg.training_id != training.id:
        abort(404)
    return reg


def _view(training: TrainingSession) -> dict[str, Any]:
    tally = queries.counts(current_session(), [training.id])[training.id]
    return queries.managed_view(training, tally, current_settings(), utcnow())


def _check_trainer(trainer_id: int) -> None:
    """Only admins pick another trainer, and it must be one."""
    user = current_user()
    if trainer_id != user.id and not user.is_admin:
        abort(403, message="Seul un administrateur peut confier une session à un autre formateur.")
    chosen = current_session().get(User, trainer_id)
    if chosen is None or not (chosen.is_trainer or chosen.is_admin):
        abort(422, message="Champ « trainer_id » : ce compte n'est pas formateur.")


def refuse(exc: manage.Refused) -> NoReturn:
    """A 422 naming the field, as schema errors are answered."""
    abort(422, messages={"json": {exc.field: [exc.reason]}})


ERRORS = {401: "Authentification requise", 403: "Réservé aux formateurs de la session"}


def _errors(*extra: int) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for status in (401, 403, *extra):
            func = blp.alt_response(status, description=ERRORS.get(status, ""))(func)
        return func

    return decorate


@blp.route("/trainer/trainings")
class ManagedTrainings(MethodView):
    decorators = [trainer_required]

    @blp.etag
    @blp.arguments(ManageListArgs, location="query")
    @blp.response(200, ManagedListOut)
    @_errors()
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Mes sessions, brouillons compris (toutes pour un administrateur), prochaines d'abord."""
        user, now, settings = current_user(), utcnow(), current_settings()
        mine = None if user.is_admin else user.id
        found = queries.managed(current_session(), mine, args.get("state"), now)
        tallies = queries.counts(current_session(), [t.id for t in found])
        return {"items": [queries.managed_view(t, tallies[t.id], settings, now) for t in found]}

    @blp.arguments(TrainingIn)
    @blp.response(201, ManagedTrainingOut)
    @_errors(422)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Créer une session (brouillon)."""
        body.setdefault("trainer_id", current_user().id)
        _check_trainer(body["trainer_id"])
        training = manage.create(current_session(), body, now=utcnow())
        current_session().commit()
        return _view(training)


@blp.route("/trainer/trainings/<int:training_id>")
class ManagedTraining(MethodView):
    decorators = [trainer_required]

    @blp.etag
    @blp.response(200, ManagedTrainingOut)
    @_errors(404)
    def get(self, training_id: int) -> dict[str, Any]:
        """Une de mes sessions, avec le lien de la classe virtuelle."""
        return _view(_training(training_id))

    @blp.arguments(TrainingPatchIn)
    @blp.response(200, ManagedTrainingOut)
    @_errors(404, 409, 422)
    def patch(self, body: dict[str, Any], training_id: int) -> dict[str, Any]:
        """Modifier une session ; les inscrits confirmés reçoivent l'invitation à jour."""
        training = _training(training_id)
        if "parts" in body and "format" not in body and len(body["parts"]) != len(training.parts):
            refuse(manage.Refused("parts", PART_COUNT[training.format.value]))
        if "trainer_id" in body:
            _check_trainer(body["trainer_id"])
        try:
            manage.edit_and_notify(
                current_session(),
                current_mailer(),
                current_settings(),
                training,
                body,
                now=utcnow(),
            )
        except manage.Conflict as exc:
            current_session().rollback()
            abort(409, message=str(exc))
        return _view(training)


@blp.route("/trainer/trainings/<int:training_id>/publish")
class PublishTraining(MethodView):
    decorators = [trainer_required]

    @blp.response(200, ManagedTrainingOut)
    @_errors(404, 409)
    def post(self, training_id: int) -> dict[str, Any]:
        """Publier une session : elle apparaît sur le site et sur le téléphone."""
        training = _training(training_id)
        try:
            manage.publish(current_session(), training, now=utcnow())
        except manage.Conflict as exc:
            abort(409, message=str(exc))
        current_session().commit()
        return _view(training)


@blp.route("/trainer/trainings/<int:training_id>/cancel")
class CancelTraining(MethodView):
    decorators = [trainer_required]

    @blp.response(200, ManagedTrainingOut)
    @_errors(404)
    def post(self, training_id: int) -> dict[str, Any]:
        """Annuler une session : chaque inscrit est prévenu par e-mail."""
        training = _training(training_id)
        manage.cancel_and_notify(
            current_session(), current_mailer(), current_settings(), training, now=utcnow()
        )
        return _view(training)


@blp.route("/trainer/trainings/<int:training_id>/participants")
class Participants(MethodView):
    decorators = [trainer_required]

    @blp.etag
    @blp.response(200, ParticipantListOut)
    @_errors(404)
    def get(self, training_id: int) -> dict[str, Any]:
        """Les inscrits d'une session, par ordre d'arrivée."""
        return {"items": _participants(_training(training_id))}


def _participants(training: TrainingSession) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.training_id == training.id)
        .order_by(Registration.position, Registration.id)
    )
    return list(current_session().scalars(query))


@blp.route("/trainer/trainings/<int:training_id>/participants.csv")
class ParticipantsCsv(MethodView):
    decorators = [trainer_required]

    @blp.etag
    @blp.response(200, content_type="text/csv", description="CSV ; UTF-8 avec BOM")
    @_errors(404)
    def get(self, training_id: int) -> Response:
        """Exporter les inscrits en CSV (séparateur « ; », pour Excel)."""
        training = _training(training_id)
        body = export.participants_csv(_participants(training))
        blp.set_etag(hashlib.sha256(body).hexdigest())
        response = Response(body, mimetype="text/csv")
        response.mimetype_params["charset"] = "utf-8"
        name = f"inscrits-formation-{training.id}.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@blp.route("/trainer/trainings/<int:training_id>/participants/<int:registration_id>")
class Participant(MethodView):
    decorators = [trainer_required]

    @blp.arguments(AttendanceIn)
    @blp.response(200, ParticipantOut)
    @_errors(404, 422)
    def patch(self, body: dict[str, Any], training_id: int, registration_id: int) -> Registration:
        """Noter la présence d'un participant (true, false, ou null pour effacer)."""
        training = _training(training_id)
        reg = _registration(training, registration_id)
        try:
            manage.mark_attendance(training, reg, body["attended"], now=utcnow())
        except manage.Refused as exc:
            refuse(exc)
        current_session().commit()
        return reg

    @blp.response(204)
    @_errors(404)
    def delete(self, training_id: int, registration_id: int) -> None:
        """Annuler l'inscription d'un participant ; il est prévenu, sa place réattribuée."""
        reg = _registration(_training(training_id), registration_id)
        service.cancel_by_organiser(
            current_session(), current_mailer(), current_settings(), reg, now=utcnow()
        )
