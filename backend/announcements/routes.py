"""Announcements for the site banner and the phone; admins publish them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask.views import MethodView

from backend.accounts.auth import auth_required, current_user
from backend.announcements import service
from backend.announcements.models import Announcement
from backend.announcements.schemas import (
    AnnouncementIn,
    AnnouncementListOut,
    AnnouncementOut,
    AnnouncementPatchIn,
)
from backend.api import Blueprint, abort
from backend.db import current_session, utcnow

blp = Blueprint("announcements", __name__, url_prefix="/api/v1", description="Annonces")
F = TypeVar("F", bound=Callable[..., Any])
WINDOW_ERRORS = {
    "window_starts_at": "Champ « window_starts_at » : obligatoire pour une maintenance.",
    "window_ends_at": "Champ « window_ends_at » : la fin de la fenêtre doit suivre son début.",
}


def admin_required(func: F) -> F:
    """A valid token of an administrator; anyone else gets 403."""

    @auth_required
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user().is_admin:
            abort(403, message="Réservé aux administrateurs.")
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _save(item: Announcement, body: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    try:
        service.save(current_session(), item, body, now)
    except ValueError as exc:
        current_session().rollback()
        abort(422, message=WINDOW_ERRORS[str(exc)])
    current_session().commit()
    return service.view(item, now)


@blp.route("/announcements")
class Announcements(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.response(200, AnnouncementListOut)
    def get(self) -> dict[str, Any]:
        """Les annonces en cours et à venir (bandeau du site, téléphone).

        Dans l'ordre de leurs dates : le début de la fenêtre de maintenance, sinon la
        publication. Un ETag permet de reposer la question sans tout recevoir (304).
        """
        now = utcnow()
        return {"items": [service.view(a, now) for a in service.current(current_session(), now)]}

    @admin_required
    @blp.arguments(AnnouncementIn)
    @blp.response(201, AnnouncementOut)
    @blp.alt_response(401, description="Authentification requise")
    @blp.alt_response(403, description="Réservé aux administrateurs")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Publier une annonce (maintenance : avec sa fenêtre)."""
        return _save(Announcement(), body)


@blp.route("/announcements/<int:announcement_id>")
class AnnouncementDetail(MethodView):
    decorators = [admin_required]

    @blp.arguments(AnnouncementPatchIn)
    @blp.response(200, AnnouncementOut)
    @blp.alt_response(401, description="Authentification requise")
    @blp.alt_response(403, description="Réservé aux administrateurs")
    @blp.alt_response(404, description="Annonce introuvable")
    def patch(self, body: dict[str, Any], announcement_id: int) -> dict[str, Any]:
        """Modifier une annonce."""
        item = current_session().get(Announcement, announcement_id)
        if item is None:
            abort(404)
        return _save(item, body)

    @blp.response(204)
    @blp.alt_response(401, description="Authentification requise")
    @blp.alt_response(403, description="Réservé aux administrateurs")
    @blp.alt_response(404, description="Annonce introuvable")
    def delete(self, announcement_id: int) -> None:
        """Retirer une annonce."""
        item = current_session().get(Announcement, announcement_id)
        if item is None:
            abort(404)
        current_session().delete(item)
        current_session().commit()
