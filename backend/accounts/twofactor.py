"""Two-factor authentication (TOTP, RFC 6238) with single-use recovery codes.

Setting it up takes two steps: `start` draws a secret (the phone's authenticator app reads
it from the `otpauth://` URI, usually as a QR code), and `confirm` activates it once a first
code proves the app has it; only then are ten recovery codes drawn, shown once and kept as
argon2 hashes. From then on a login needs a code: `check` accepts the code of the current
30-second step or of its neighbours (clocks drift), never a step already used (no replay),
or an unused recovery code. Wrong codes in a row lock the second factor for a while, whoever
sends them. Demo accounts are shared by everyone: they cannot turn it on.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.accounts.models import RecoveryCode, TwoFactor, User
from backend.accounts.security import verify_password

ISSUER = "Relais"
RECOVERY_CODES = 10
WINDOW = 1  # steps accepted on each side of the current one
# Recovery codes carry 50 random bits: a light argon2 is plenty, and a login may try ten.
_code_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class Policy:
    """How many wrong codes in a row lock the second factor, and for how long."""

    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str


class DemoAccount(Exception):
    """Demo accounts are shared: none of them gets a second factor."""


class AlreadyEnabled(Exception):
    """Two-factor authentication is already on."""


class NotEnabled(Exception):
    """Two-factor authentication is off (or was never started)."""


class WrongPassword(Exception):
    """The password given to turn it off is not the account's."""


class InvalidCode(Exception):
    """The code is wrong, expired or already used."""


class Locked(Exception):
    """Too many wrong codes: the second factor refuses every code until `until`."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(until)
        self.until = until


def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def _secret(factor: TwoFactor, key: str) -> str:
    return _fernet(key).decrypt(factor.secret).decode()


def find(session: Session, user_id: int, *, lock: bool = False) -> TwoFactor | None:
    statement = select(TwoFactor).where(TwoFactor.user_id == user_id)
    return session.scalar(statement.with_for_update() if lock else statement)


def enabled(session: Session, user_id: int) -> TwoFactor | None:
    """The user's active second factor (locked for update), or None."""
    factor = find(session, user_id, lock=True)
    return factor if factor is not None and factor.enabled_at is not None else None


def start(session: Session, user: User, key: str, *, now: dt.datetime) -> Setup:
    """Draw a new secret, not active until confirmed; a pending one is replaced."""
    if user.is_demo:
        raise DemoAccount
    factor = find(session, user.id, lock=True)
    if factor is not None and factor.enabled_at is not None:
        raise AlreadyEnabled
    secret = pyotp.random_base32()
    encrypted = _fernet(key).encrypt(secret.encode())
    if factor is None:
        session.add(TwoFactor(user_id=user.id, secret=encrypted, created_at=now))
    else:
        factor.secret, factor.created_at, factor.last_step = encrypted, now, None
    session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return Setup(secret, uri)


def confirm(session: Session, user: User, code: str, key: str, *, now: dt.datetime) -> list[str]:
    """Activate a pending second factor with a first code; returns the recovery codes."""
    factor = find(session, user.id, lock=True)
    if factor is None or factor.enabled_at is not None:
        raise NotEnabled
    step = _matching_step(_secret(factor, key), code, now)
    if step is None:
        raise InvalidCode
    factor.last_step, factor.enabled_at, factor.failures = step, now, 0
    return _new_recovery_codes(session, user.id)


def check(
    session: Session, factor: TwoFactor, code: str, key: str, policy: Policy, *, now: dt.datetime
) -> None:
    """Accept a login's code or recovery code, or count a failure (the caller commits either)."""
    if factor.locked_until is not None and factor.locked_until > now:
        raise Locked(factor.locked_until)
    if _accept(session, factor, code, key, now):
        factor.failures, factor.locked_until = 0, None
        return
    factor.failures += 1
    if factor.failures >= policy.max_failures:
        factor.failures, factor.locked_until = 0, now + policy.lockout
        raise Locked(factor.locked_until)
    raise InvalidCode


def disable(
    session: Session,
    user: User,
    password: str,
    code: str,
    key: str,
    policy: Policy,
    *,
    now: dt.datetime,
) -> None:
    """Turn it off with the password and a code (or a recovery code)."""
    factor = enabled(session, user.id)
    if factor is None:
        raise NotEnabled
    if not verify_password(user.password_hash, password):
        raise WrongPassword
    check(session, factor, code, key, policy, now=now)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(factor)


def renew_recovery_codes(
    session: Session, user: User, code: str, key: str, policy: Policy, *, now: dt.datetime
) -> list[str]:
    """A new set of recovery codes, the former ones void; needs a current code."""
    factor = enabled(session, user.id)
    if factor is None:
        raise NotEnabled
    check(session, factor, code, key, policy, now=now)
    return _new_recovery_codes(session, user.id)


def remaining_recovery_codes(session: Session, user_id: int) -> int:
    codes = session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(codes.all())


def _accept(session: Session, factor: TwoFactor, code: str, key: str, now: dt.datetime) -> bool:
    code = "".join(code.split())
    if len(code) == 6 and code.isdigit():  # a recovery code has 10 characters
        step = _matching_step(_secret(factor, key), code, now)
        if step is None or (factor.last_step is not None and step <= factor.last_step):
            return False
        factor.last_step = step
        return True
    return _use_recovery_code(session, factor.user_id, code, now)


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step, within the window around `now`, whose code this is."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step  # no early exit: the same work whichever step matches
    return found


def _normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _use_recovery_code(session: Session, user_id: int, code: str, now: dt.datetime) -> bool:
    code = _normalize(code)
    if len(code) != 10:
        return False
    unused = session.scalars(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        .with_for_update()
    ).all()
    for stored in unused:
        try:
            if _code_hasher.verify(stored.code_hash, code):
                stored.used_at = now
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


def _new_recovery_codes(session: Session, user_id: int) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hasher.hash(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]
