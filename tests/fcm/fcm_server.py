"""A loopback server speaking the FCM HTTP v1 wire protocol, with an OAuth2 token endpoint.

The real firebase-admin SDK talks to it: google-auth fetches its access token from
`token_uri` (set in the service-account file this server hands out), and the messaging
service posts to `{base_url}/v1/projects/{project}/messages:send`.

Programmable outcomes, every call recorded in `calls` (retries included):
- token prefixes (`TOKEN_ERRORS`): unregistered- 404 UNREGISTERED, invalid- / malformed- 400
  INVALID_ARGUMENT about the token, mismatch- 403 SENDER_ID_MISMATCH, quota- 429
  QUOTA_EXCEEDED + Retry-After, unavailable- 503 + Retry-After, internal- 500, thirdparty-
  401 THIRD_PARTY_AUTH_ERROR; slow- answers after `slow_seconds`; anything else succeeds;
- payload checks as FCM does (reserved data keys, 4 KB, TTL, priority) → 400 BadRequest;
- `fail_next(n, code)` answers the next n calls with that error, then back to normal;
- `latency_ms=(20, 50)` adds a uniform delay to every send (benchmarks).

Outside pytest (benchmarks):

    with running_fcm_server(latency_ms=(20, 50)) as server, server.trusted_by_new_clients():
        Path("sa.json").write_text(json.dumps(server.service_account_info()))
        transport = FirebaseTransport(server.project_id, "sa.json", fcm_base_url=server.base_url)
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fcm.fcm_errors import SLOW_PREFIX, TOKEN_ERRORS, FcmError, error_body, validate_message
from tests.fcm.http2 import server_ssl_context, write_self_signed
from tests.fcm.http11 import LoopbackHttpServer, Request, Response

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always signs this audience, whatever token_uri says (service_account.py).
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"


@dataclass(frozen=True)
class SendCall:
    """One POST to messages:send as the server saw it."""

    token: str | None
    status: int
    message: dict[str, Any] | None
    validate_only: bool
    name: str | None = None  # the FCM message name returned on success
    protocol: str = "HTTP/1.1"
    at: float = 0.0  # time.time() when the request reached the server (benchmark delays)


class FcmServer:
    """FCM HTTP v1 + OAuth2 server on 127.0.0.1 (ports chosen by the OS), loop threads.

    With `tls=True` (default) messages:send is served over HTTPS with HTTP/2, like the real
    endpoint; the OAuth2 endpoint stays plain HTTP because google-auth fetches tokens with
    `requests`, which would need its own CA setting. Build transports inside
    `trusted_by_new_clients()` so the SDK's httpx client trusts the loopback certificate.
    """

    def __init__(
        self,
        project_id: str = "relais-test",
        *,
        latency_ms: tuple[float, float] = (0.0, 0.0),
        slow_seconds: float = 1.0,
        retry_after: str = "7",
        tls: bool = True,
    ) -> None:
        self.project_id = project_id
        self.latency_ms = latency_ms  # uniform per send call, e.g. (20, 50) for benchmarks
        self.slow_seconds = slow_seconds  # delay for `slow-` tokens
        self.retry_after = retry_after  # Retry-After header sent with 429 and 503
        self._key = _service_account_key()
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._fail_next: list[str] = []
        self.calls: list[SendCall] = []
        self.token_requests = 0
        self._oauth = LoopbackHttpServer(self._route)
        self._certs = tempfile.TemporaryDirectory(prefix="fcm-loopback-")
        self.ca_file: Path | None = None
        self._fcm = self._oauth
        if tls:
            self.ca_file, key_file = write_self_signed(Path(self._certs.name))
            self._fcm = LoopbackHttpServer(self._route, server_ssl_context(self.ca_file, key_file))

    @property
    def base_url(self) -> str:
        """Root URL to use as the transport's fcm_base_url."""
        scheme = "https" if self.ca_file else "http"
        return f"{scheme}://127.0.0.1:{self._fcm.port}"

    @property
    def token_uri(self) -> str:
        """OAuth2 token endpoint to write into the service-account file."""
        return f"http://127.0.0.1:{self._oauth.port}/token"

    def start(self) -> FcmServer:
        """Serve from daemon threads."""
        self._oauth.start()
        if self._fcm is not self._oauth:
            self._fcm.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending (slow) answers are cancelled."""
        if self._fcm is not self._oauth:
            self._fcm.stop()
        self._oauth.stop()
        self._certs.cleanup()

    @contextmanager
    def trusted_by_new_clients(self) -> Iterator[None]:
        """Within the block, new httpx clients (the SDK's) trust the loopback certificate."""
        # httpx reads SSL_CERT_FILE when a client is created (trust_env); the SDK creates its
        # client with the messaging service, i.e. in FirebaseTransport(fcm_base_url=...).
        if self.ca_file is None:
            yield
            return
        previous = os.environ.get("SSL_CERT_FILE")
        os.environ["SSL_CERT_FILE"] = str(self.ca_file)
        try:
            yield
        finally:
            if previous is None:
                del os.environ["SSL_CERT_FILE"]
            else:
                os.environ["SSL_CERT_FILE"] = previous

    def service_account_info(self, client_email: str = "relais-push@relais-test.iam") -> dict:
        """A service-account key whose token_uri points here, signed with this server's key."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": uuid.uuid4().hex,
            "private_key": pem.decode(),
            "client_email": client_email,
            "client_id": "1",
            "token_uri": self.token_uri,
        }

    def fail_next(self, count: int, error: str = "UNAVAILABLE") -> None:
        """Answer the next `count` send calls with `error` (a TOKEN_ERRORS key), then succeed."""
        if error not in TOKEN_ERRORS:
            raise ValueError(f"unknown FCM error {error!r}; expected one of {sorted(TOKEN_ERRORS)}")
        with self._lock:
            self._fail_next.extend([error] * count)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Messages accepted for delivery (not validate_only), in arrival order."""
        with self._lock:
            return [c.message for c in self.calls if c.status == 200 and not c.validate_only]  # type: ignore[misc]

    def calls_for(self, token: str) -> list[SendCall]:
        """Every send call made for one registration token, retries included."""
        with self._lock:
            return [c for c in self.calls if c.token == token]

    # --- request handling (on the server's loop thread) ---

    async def _route(self, request: Request) -> Response:
        """POST /token and POST /v1/projects/{project}/messages:send."""
        prefix, suffix = "/v1/projects/", "/messages:send"
        if request.method == "POST" and request.path == "/token":
            status, body = self.issue_token(parse_qs(request.body.decode()))
            return Response(status, json.dumps(body).encode())
        if (
            request.method == "POST"
            and request.path.startswith(prefix)
            and request.path.endswith(suffix)
        ):
            project = request.path[len(prefix) : -len(suffix)]
            status, body, headers = await self.handle_send(project, request)
            return Response(status, json.dumps(body).encode(), headers)
        not_found = {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}}
        return Response(404, json.dumps(not_found).encode())

    def issue_token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """OAuth2 JWT-bearer grant: verify the assertion with our public key, mint a token."""
        with self._lock:
            self.token_requests += 1
        if form.get("grant_type") != [JWT_BEARER] or "assertion" not in form:
            return 400, {"error": "unsupported_grant_type"}
        try:
            jwt.decode(
                form["assertion"][0],
                self._key.public_key(),
                algorithms=["RS256"],
                audience=GOOGLE_TOKEN_AUDIENCE,
            )
        except jwt.PyJWTError as exc:
            return 400, {"error": "invalid_grant", "error_description": str(exc)}
        access_token = f"ya29.loopback-{uuid.uuid4().hex}"
        with self._lock:
            self._tokens.add(access_token)
        return 200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"}

    async def handle_send(
        self, project: str, request: Request
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """messages:send: auth, shape, programmed outcome; returns status, body, headers."""
        arrived = time.time()
        await asyncio.sleep(random.uniform(*self.latency_ms) / 1000)
        try:
            authorization = request.headers.get("authorization", "")
            token, message, validate_only = self._check(project, authorization, request.body)
        except FcmError as err:
            self._record(
                SendCall(None, err.http_status, None, False, protocol=request.protocol, at=arrived)
            )
            return err.http_status, error_body(err), {}
        with self._lock:
            programmed = self._fail_next.pop(0) if self._fail_next else None
        failure = TOKEN_ERRORS.get(programmed or "") or _error_for_token(token)
        if token.startswith(SLOW_PREFIX):
            await asyncio.sleep(self.slow_seconds)
        if failure is not None:
            status = failure.http_status
            protocol = request.protocol
            self._record(
                SendCall(token, status, message, validate_only, protocol=protocol, at=arrived)
            )
            headers = {"Retry-After": self.retry_after} if status in (429, 503) else {}
            return status, error_body(failure), headers
        name = f"projects/{project}/messages/{uuid.uuid4().hex[:16]}"
        self._record(SendCall(token, 200, message, validate_only, name, request.protocol, arrived))
        return 200, {"name": name}, {}

    def _check(self, project: str, authorization: str, raw: bytes) -> tuple[str, dict, bool]:
        """Validate bearer token, project and request body like FCM does."""
        scheme, _, access_token = authorization.partition(" ")
        with self._lock:
            known = access_token in self._tokens
        if scheme != "Bearer" or not known:
            raise FcmError(401, "UNAUTHENTICATED", None, "Request had invalid authentication.")
        if project != self.project_id:
            raise FcmError(404, "NOT_FOUND", None, "Requested entity was not found.")
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise FcmError(400, "INVALID_ARGUMENT", None, f"Invalid JSON payload: {exc}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
            raise FcmError(400, "INVALID_ARGUMENT", None, "Missing required field: message")
        unknown = set(body) - {"message", "validate_only"}
        if unknown:
            raise FcmError(400, "INVALID_ARGUMENT", None, f"Unknown name {sorted(unknown)[0]!r}")
        message = body["message"]
        validate_message(message)
        return str(message.get("token", "")), message, bool(body.get("validate_only"))

    def _record(self, call: SendCall) -> None:
        with self._lock:
            self.calls.append(call)


@functools.cache
def _service_account_key() -> rsa.RSAPrivateKey:
    """One RSA key per process: generating 2048-bit keys costs up to a second on a busy box."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _error_for_token(token: str) -> FcmError | None:
    """The programmed error for a token prefix such as `unregistered-`, if any."""
    return next((err for err in TOKEN_ERRORS.values() if token.startswith(err.prefix)), None)


@contextmanager
def running_fcm_server(project_id: str = "relais-test", **options: Any) -> Iterator[FcmServer]:
    """Start a server for the duration of a `with` block (for benchmarks and scripts)."""
    server = FcmServer(project_id, **options).start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["FcmServer", "SendCall", "running_fcm_server"]
