"""A loopback server speaking the FCM HTTP v1 wire protocol, with an OAuth2 token endpoint.

The real firebase-admin SDK talks to it: google-auth fetches its access token from
`token_uri` (set in the service-account file this server hands out), and the messaging
service posts to `{base_url}/v1/projects/{project}/messages:send`.

Outcomes are programmed by registration-token prefix (see `TOKEN_ERRORS`), by `fail_next`,
and by `latency_ms`; every call is recorded for assertions.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fcm.fcm_errors import SLOW_PREFIX, TOKEN_ERRORS, FcmError, error_body, validate_message

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


class FcmServer:
    """Thread-backed FCM HTTP v1 + OAuth2 server on 127.0.0.1, port chosen by the OS."""

    def __init__(self, project_id: str = "relais-test", *, slow_seconds: float = 1.0) -> None:
        self.project_id = project_id
        self.slow_seconds = slow_seconds
        self.latency_ms: tuple[float, float] = (0.0, 0.0)
        self.retry_after = "7"
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._tokens: set[str] = set()
        self._fail_next: list[str] = []
        self.calls: list[SendCall] = []
        self.token_requests = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fcm = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL to use as the transport's fcm_base_url."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_uri(self) -> str:
        """OAuth2 token endpoint to write into the service-account file."""
        return f"{self.base_url}/token"

    def start(self) -> FcmServer:
        """Serve in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release slow handlers and close the socket."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

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
        """Answer the next `count` send calls with `error` (an FCM error code), then succeed."""
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

    # --- request handling (called from handler threads) ---

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

    def handle_send(
        self, project: str, authorization: str, raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """messages:send: auth, shape, programmed outcome; returns status, body, headers."""
        self._sleep(random.uniform(*self.latency_ms) / 1000)
        try:
            token, message, validate_only = self._check(project, authorization, raw)
        except FcmError as err:
            self._record(SendCall(None, err.http_status, None, False))
            return err.http_status, error_body(err), {}
        with self._lock:
            programmed = self._fail_next.pop(0) if self._fail_next else None
        err = TOKEN_ERRORS.get(programmed or "") or _error_for_token(token)
        if token.startswith(SLOW_PREFIX):
            self._sleep(self.slow_seconds)
        if err is not None:
            self._record(SendCall(token, err.http_status, message, validate_only))
            headers = {"Retry-After": self.retry_after} if err.http_status in (429, 503) else {}
            return err.http_status, error_body(err), headers
        self._record(SendCall(token, 200, message, validate_only))
        return 200, {"name": f"projects/{project}/messages/{uuid.uuid4().hex[:16]}"}, {}

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

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)


def _error_for_token(token: str) -> FcmError | None:
    """The programmed error for a token prefix such as `unregistered-`, if any."""
    for code, err in TOKEN_ERRORS.items():
        if token.startswith(err.prefix):
            return TOKEN_ERRORS[code]
    return None


class _Handler(BaseHTTPRequestHandler):
    """Routes the two endpoints; HTTP/1.1 keep-alive like the real front ends."""

    protocol_version = "HTTP/1.1"
    server: Any

    def do_POST(self) -> None:
        fcm: FcmServer = self.server.fcm
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?", 1)[0]
        if path == "/token":
            status, body = fcm.issue_token(parse_qs(raw.decode()))
            self._reply(status, body, {})
            return
        prefix, suffix = "/v1/projects/", "/messages:send"
        if path.startswith(prefix) and path.endswith(suffix):
            project = path[len(prefix) : -len(suffix)]
            status, body, headers = fcm.handle_send(
                project, self.headers.get("Authorization", ""), raw
            )
            self._reply(status, body, headers)
            return
        self._reply(404, {"error": {"code": 404, "message": "Not Found", "status": "NOT_FOUND"}}, {})

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timeout test); nothing left to answer.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests assert on recorded calls, not on access logs."""


@contextmanager
def running_fcm_server(project_id: str = "relais-test", **options: Any) -> Iterator[FcmServer]:
    """Start a server for the duration of a `with` block (for benchmarks and scripts)."""
    server = FcmServer(project_id, **options).start()
    try:
        yield server
    finally:
        server.stop()


__all__ = ["FcmServer", "SendCall", "running_fcm_server"]
