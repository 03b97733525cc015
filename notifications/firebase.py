"""Push transport on the real firebase-admin SDK (FCM HTTP v1 through send_each_async)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from notifications.errors import classify_exception
from notifications.message import Outcome, PushMessage, SendResult, mask_token

logger = logging.getLogger(__name__)

MAX_BATCH = 500  # send_each_async raises ValueError above this
DEFAULT_TIMEOUT_SECONDS = 30.0


class QuietSends(logging.Filter):
    """Drop httpx's INFO line for each successful FCM send; every other httpx record passes.

    httpx logs every request at INFO: under `logging.basicConfig(level=INFO)` (our CLI) that
    is one line per push, which floods the logs and costs the dispatcher CPU at thousands of
    pushes per second. Failed sends are classified, and logged where they need a human, by
    this transport; other httpx users of the process (the portal client) keep their lines.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.levelno > logging.INFO or not isinstance(args, tuple) or len(args) < 4:
            return True
        return not (args[3] == 200 and str(args[1]).endswith("/messages:send"))


_QUIET_SENDS = QuietSends()


def quiet_httpx_sends() -> None:
    """Install the filter on httpx's logger once per process."""
    httpx_logger = logging.getLogger("httpx")
    if _QUIET_SENDS not in httpx_logger.filters:
        httpx_logger.addFilter(_QUIET_SENDS)


class FirebaseTransport:
    """Sends through one named firebase_admin App; per-message errors become SendResults.

    OAuth: google-auth signs a JWT with the service-account key and exchanges it at the
    file's `token_uri`, so a test service account whose token_uri is a loopback server needs
    no patching. The FCM endpoint has no public override: see _override_fcm_endpoint.

    The SDK's httpx client binds its connections to the event loop that first uses it and
    closes them with asyncio.run(); used from several loops (e.g. one asyncio.run per scheduler
    tick) it fails with "Event loop is closed". So the SDK runs on a private loop thread owned
    by this transport, and callers may await send() from any loop, any number of times.
    """

    name = "firebase"

    def __init__(
        self,
        project_id: str | None = None,
        credentials_path: str | os.PathLike[str] | None = None,
        *,
        fcm_base_url: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        app_name: str | None = None,
        web_base_url: str = "",
    ) -> None:
        path = credentials_path or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if not path:
            raise ValueError("FirebaseTransport needs a service-account file")
        options: dict[str, Any] = {"httpTimeout": timeout_seconds}
        if project_id:
            options["projectId"] = project_id
        # A named App, never the default one, so several transports (tests, benchmarks) coexist.
        self._app = firebase_admin.initialize_app(
            credentials.Certificate(os.fspath(path)),
            options,
            name=app_name or f"relais-push-{uuid.uuid4().hex[:12]}",
        )
        if fcm_base_url:
            _override_fcm_endpoint(self._app, fcm_base_url)
        quiet_httpx_sends()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"{self._app.name}-loop", daemon=True
        )
        self._thread.start()
        self._closed = False
        self._web_base_url = web_base_url  # Relais' public address: web pushes' links

    @property
    def project_id(self) -> str:
        """The Firebase project messages are sent for."""
        return str(self._app.project_id)

    async def send(self, messages: Sequence[PushMessage]) -> list[SendResult]:
        """Send in chunks of at most 500; one classified result per message, in order."""
        if self._closed:
            raise RuntimeError("FirebaseTransport is closed")
        future = asyncio.run_coroutine_threadsafe(self._send_all(list(messages)), self._loop)
        return await asyncio.wrap_future(future)

    async def _send_all(self, messages: list[PushMessage]) -> list[SendResult]:
        """Runs on the private loop: chunk, send, classify."""
        results: list[SendResult] = []
        for start in range(0, len(messages), MAX_BATCH):
            chunk = messages[start : start + MAX_BATCH]
            logger.debug("FCM chunk of %d messages (offset %d)", len(chunk), start)
            results.extend(await self._send_chunk(chunk))
        return results

    async def _send_chunk(self, chunk: Sequence[PushMessage]) -> list[SendResult]:
        """One send_each_async call; a whole-call failure (e.g. OAuth) applies to every message."""
        now = time.time()
        built = [build_message(message, now, self._web_base_url) for message in chunk]
        try:
            batch = await messaging.send_each_async(built, app=self._app)
        except ValueError as exc:
            # The SDK encodes every message before sending any: isolate the bad one(s).
            if len(chunk) > 1:
                return [result for message in chunk for result in await self._send_chunk([message])]
            logger.error("FCM rejected %s locally: %s", mask_token(chunk[0].token), exc)
            return [SendResult(Outcome.PERMANENT, error_code="INVALID_MESSAGE", detail=str(exc))]
        except exceptions.FirebaseError as exc:
            logger.warning("FCM call failed for a chunk of %d messages: %s", len(chunk), exc)
            return [classify_exception(exc, message, log=False) for message in chunk]
        return [
            SendResult.sent(response.message_id)
            if response.success
            else classify_exception(response.exception, message)
            for response, message in zip(batch.responses, chunk, strict=True)
        ]

    def close(self) -> None:
        """Close the SDK's connections on their own loop, stop it, delete the App."""
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._close_http(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        # delete_app() closes the messaging service with asyncio.run(), which cannot run inside
        # an event loop: call it from a loop-free thread (its aclose is now a no-op anyway).
        closer = threading.Thread(target=firebase_admin.delete_app, args=(self._app,))
        closer.start()
        closer.join(timeout=10)

    async def aclose(self) -> None:
        """close() for async callers."""
        await asyncio.to_thread(self.close)

    async def _close_http(self) -> None:
        # Private SDK attribute, on purpose: the httpx client must be closed on the loop that
        # owns its connections, which delete_app() cannot do.
        await messaging._get_messaging_service(self._app)._async_client.aclose()


def build_message(message: PushMessage, now: float, web_base_url: str = "") -> messaging.Message:
    """The FCM message for one device: the builder of its platform (one per platform)."""
    fcm = BUILDERS[message.platform](message, now, web_base_url)
    # firebase-admin 7.5+ deprecates Message(token=...) in favour of fid and warns in __init__;
    # our devices still register FCM registration tokens. Setting the documented attribute
    # afterwards sends the same JSON without warnings.catch_warnings(), which would rewrite the
    # process-wide filters from this non-main thread.
    fcm.token = message.token
    return fcm


def _android(message: PushMessage, now: float, web_base_url: str) -> messaging.Message:
    """Android: FCM shows the notification; a newer one of the same invoice replaces it."""
    return messaging.Message(
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data),
        android=messaging.AndroidConfig(
            collapse_key=message.collapse_key or None,
            priority="high" if message.high_priority else "normal",
            ttl=message.ttl_seconds,
        ),
    )


def _ios(message: PushMessage, now: float, web_base_url: str) -> messaging.Message:
    """iOS: APNs headers; apns-expiration is absolute, 0 meaning "deliver now or never"."""
    expiration = str(int(now) + message.ttl_seconds) if message.ttl_seconds else "0"
    headers = {"apns-priority": "10" if message.high_priority else "5",
               "apns-expiration": expiration}  # fmt: skip
    if message.collapse_key:
        headers["apns-collapse-id"] = message.collapse_key
    return messaging.Message(
        notification=messaging.Notification(title=message.title, body=message.body),
        data=dict(message.data),
        apns=messaging.APNSConfig(headers=headers),
    )


def _web(message: PushMessage, now: float, web_base_url: str) -> messaging.Message:
    """Web push (RFC 8030): the app's service worker shows title and body; the Topic header
    and the notification's tag collapse per invoice, as phones do; clicking opens the link.

    FCM accepts only an https `fcm_options.link`: on a plain-HTTP Relais (development) the
    link stays in `data["link"]`, which the service worker reads too.
    """
    headers = {"Urgency": "high" if message.high_priority else "normal",
               "TTL": str(message.ttl_seconds)}  # fmt: skip
    if message.collapse_key:
        headers["Topic"] = web_push_topic(message.collapse_key)
    data = dict(message.data)
    options = None
    if message.link:
        data["link"] = message.link
        if web_base_url.startswith("https://"):
            options = messaging.WebpushFCMOptions(link=web_base_url.rstrip("/") + message.link)
    return messaging.Message(
        data=data,
        webpush=messaging.WebpushConfig(
            headers=headers,
            notification=messaging.WebpushNotification(
                title=message.title,
                body=message.body,
                tag=message.collapse_key or None,
                renotify=bool(message.collapse_key) or None,
            ),
            fcm_options=options,
        ),
    )


BUILDERS: dict[str, Callable[[PushMessage, float, str], messaging.Message]] = {
    "android": _android,
    "ios": _ios,
    "web": _web,
}


def web_push_topic(collapse_key: str) -> str:
    """Web Push Topic header: at most 32 characters of the URL-safe base64 alphabet (RFC 8030)."""
    cleaned = "".join(
        c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in collapse_key
    )
    return cleaned[:32]


def _override_fcm_endpoint(app: firebase_admin.App, base_url: str) -> None:
    """Point this App's messaging service at another FCM HTTP v1 root (tests, benchmarks only).

    With an https root, the SDK's httpx client (created right here, with the service) trusts
    what SSL_CERT_FILE names at this moment; the loopback test server relies on that.
    """
    # firebase-admin has no public endpoint setting and no emulator variable for messaging
    # (maintainers declined one in every Admin SDK). _MessagingService.__init__ formats the send
    # URL once per App into the instance attribute `_fcm_url`; replacing it on this App's service
    # (not the class-wide FCM_URL) leaves every other App on the real endpoint. It is a private
    # attribute, so check it exists: an SDK change must fail loudly, never silently reach Google.
    service = messaging._get_messaging_service(app)
    if not isinstance(getattr(service, "_fcm_url", None), str):
        raise RuntimeError("this firebase-admin version has no _MessagingService._fcm_url")
    service._fcm_url = f"{base_url.rstrip('/')}/v1/projects/{app.project_id}/messages:send"
