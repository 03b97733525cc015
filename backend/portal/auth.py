"""Credentials: the gateway's OAuth2 token and the structure's technical account."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from backend.portal.errors import PortalCredentialsError, PortalProtocolError, RetryableResponse

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class TechnicalAccount:
    """A supplier structure's technical user on the portal (login + password)."""

    login: str
    password: str

    def header(self) -> str:
        """The cpro-account header value: base64("login:password")."""
        return base64.b64encode(f"{self.login}:{self.password}".encode()).decode("ascii")

    def __repr__(self) -> str:  # never print the password
        return f"TechnicalAccount(login={self.login!r})"


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: dt.datetime


class TokenProvider:
    """Client-credentials token, cached and renewed `margin` before it expires."""

    def __init__(
        self,
        http: httpx.Client,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        clock: Clock = utc_now,
        margin: dt.timedelta = dt.timedelta(seconds=60),
    ) -> None:
        self._http, self._url = http, token_url
        self._client_id, self._client_secret = client_id, client_secret
        self._clock, self._margin = clock, margin
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    def get(self) -> str:
        """A valid access token, fetched only when the cached one is missing or near expiry."""
        with self._lock:
            token = self._token
            if token is None or self._clock() >= token.expires_at - self._margin:
                token = self._token = self._fetch()
            return token.value

    def invalidate(self, value: str) -> None:
        """Forget a token the gateway refused (unless another thread already renewed it)."""
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None

    def _fetch(self) -> AccessToken:
        data = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "scope": "openid",
        }
        response = self._http.post(self._url, data=data)
        self.fetch_count += 1
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableResponse(f"jeton HTTP {response.status_code}")
        if response.status_code in (400, 401, 403):
            raise PortalCredentialsError()
        try:
            body = response.json()
            value, lifetime = str(body["access_token"]), int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise PortalProtocolError(f"jeton illisible (HTTP {response.status_code})") from exc
        return AccessToken(value, self._clock() + dt.timedelta(seconds=lifetime))
