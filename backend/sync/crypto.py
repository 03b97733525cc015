"""Technical-account passwords are encrypted at rest (Fernet, key from configuration)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class CredentialsKeyError(Exception):
    """The configured key cannot decrypt what was stored (wrong or rotated key)."""


def encrypt(key: str, secret: str) -> bytes:
    return Fernet(key.encode()).encrypt(secret.encode())


def decrypt(key: str, token: bytes) -> str:
    try:
        return Fernet(key.encode()).decrypt(token).decode()
    except InvalidToken as exc:
        raise CredentialsKeyError(
            "CREDENTIALS_KEY ne permet pas de déchiffrer ce mot de passe"
        ) from exc


def new_key() -> str:
    return Fernet.generate_key().decode()
