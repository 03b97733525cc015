"""The phone's push endpoints: devices, preferences, the inbox; dead letters for admins."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView

from backend import i18n
from backend.accounts.auth import auth_required, current_user
from backend.api import Blueprint, abort
from backend.config import web_push_settings
from backend.db import current_session, utcnow
from backend.push import admin, devices, inbox, preferences
from backend.push.models import Device
from backend.push.schemas import (
    DeadLetterOut,
    DeadLettersArgs,
    DeviceIn,
    DeviceOut,
    InboxArgs,
    InboxOut,
    PreferencesIn,
    PreferencesOut,
    WebPushConfigOut,
)

blp = Blueprint("push", __name__, url_prefix="/api/v1", description="Notifications")


DEVICE_FIELDS = (
    "id",
    "platform",
    "locale",
    "time_zone",
    "app_version",
    "created_at",
    "last_seen_at",
)


def _device_out(device: Device) -> dict[str, Any]:
    data = {name: getattr(device, name) for name in DEVICE_FIELDS}
    return {**data, "current": device.auth_session_id == g.session_id}


@blp.route("/devices")
class Devices(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.response(200, DeviceOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Mes appareils qui reçoivent les notifications."""
        return [_device_out(d) for d in devices.list_active(current_session(), current_user().id)]

    @blp.arguments(DeviceIn)
    @blp.response(201, DeviceOut)
    @blp.alt_response(200, schema=DeviceOut, description="Jeton déjà connu : appareil mis à jour")
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Enregistrer cet appareil (ou rafraîchir son jeton) pour recevoir les notifications."""
        device, created = devices.register(
            current_session(),
            current_user().id,
            g.session_id,
            devices.Registration(**body),
        )
        current_session().commit()
        return _device_out(device), 201 if created else 200


@blp.route("/devices/<int:device_id>")
class DeviceDetail(MethodView):
    decorators = [auth_required]

    @blp.response(204)
    @blp.problem(404, "Appareil introuvable")
    def delete(self, device_id: int) -> None:
        """Désinscrire un appareil : il ne reçoit plus de notifications."""
        device = devices.user_device(current_session(), current_user().id, device_id)
        if device is None:
            abort(404)
        devices.deactivate(current_session(), [device.id], "unregistered")
        current_session().commit()


@blp.route("/push/web-config")
class WebPushConfig(MethodView):
    @blp.doc(security=[])
    @blp.etag
    @blp.response(200, WebPushConfigOut)
    def get(self) -> dict[str, Any]:
        """Ce qu'il faut à l'application web pour recevoir les notifications (public).

        Sans `FIREBASE_WEB_CONFIG`, `enabled` est faux : l'application relit sa boîte de
        réception au retour sur l'écran et toutes les 30 secondes."""
        raw = current_app.extensions["relais_config"].firebase_web_config
        if not raw:
            return {"enabled": False, "firebase": None, "vapid_key": None}
        settings = web_push_settings(raw)
        vapid_key = settings.pop("vapidKey")
        return {"enabled": True, "firebase": settings, "vapid_key": vapid_key}


@blp.route("/me/notification-preferences")
class Preferences(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.response(200, PreferencesOut)
    def get(self) -> dict[str, Any]:
        """Mes préférences : catégories par structure, heures calmes, fuseau horaire."""
        return preferences.view(current_session(), current_user().id)

    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        """Modifier mes préférences de notification."""
        session = current_session()
        try:
            preferences.update(session, current_user().id, body)
        except preferences.InvalidPreferences as exc:
            abort(422, messages={"json": {exc.field: [str(exc)]}})
        session.commit()
        return preferences.view(session, current_user().id)


@blp.route("/notifications")
class Notifications(MethodView):
    decorators = [auth_required]

    @blp.etag
    @blp.arguments(InboxArgs, location="query", as_kwargs=True)
    @blp.response(200, InboxOut)
    @blp.problem(400, "Curseur de pagination invalide")
    def get(self, unread: bool, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """Mes notifications, des plus récentes aux plus anciennes."""
        try:
            page = inbox.page(
                current_session(), current_user().id, unread=unread, limit=limit, cursor=cursor
            )
        except inbox.InvalidCursor:
            abort(400, message=i18n.message("invalid_cursor"))
        return {
            "items": page.items,
            "unread_count": page.unread_count,
            "next_cursor": page.next_cursor,
        }


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    decorators = [auth_required]

    @blp.response(204)
    @blp.problem(404, "Notification introuvable")
    def post(self, notification_id: int) -> None:
        """Marquer une notification comme lue."""
        if not inbox.mark_read(current_session(), current_user().id, notification_id, utcnow()):
            abort(404)
        current_session().commit()


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    decorators = [auth_required]

    @blp.response(204)
    def post(self) -> None:
        """Marquer toutes mes notifications comme lues."""
        inbox.mark_all_read(current_session(), current_user().id, utcnow())
        current_session().commit()


def _admin_only() -> None:
    if not current_user().is_admin:
        abort(403, message="Réservé aux administrateurs.")


@blp.route("/admin/push/dead-letters")
class DeadLetters(MethodView):
    decorators = [auth_required]

    @blp.arguments(DeadLettersArgs, location="query", as_kwargs=True)
    @blp.response(200, DeadLetterOut(many=True))
    @blp.problem(403, "Réservé aux administrateurs")
    def get(self, limit: int) -> list[dict[str, Any]]:
        """Les notifications abandonnées après leur dernière tentative (administrateurs)."""
        _admin_only()
        return admin.dead_letters(current_session(), limit)


@blp.route("/admin/push/dead-letters/<int:delivery_id>/retry")
class DeadLetterRetry(MethodView):
    decorators = [auth_required]

    @blp.response(204)
    @blp.problem(403, "Réservé aux administrateurs")
    @blp.problem(404, "Envoi introuvable")
    @blp.problem(409, "Cet envoi n'est pas abandonné")
    def post(self, delivery_id: int) -> None:
        """Remettre en file un envoi abandonné (administrateurs)."""
        _admin_only()
        try:
            found = admin.retry(current_session(), delivery_id, utcnow())
        except admin.NotDead:
            abort(409, message="Cet envoi n'est pas abandonné : rien à relancer.")
        if found is None:
            abort(404)
        current_session().commit()
