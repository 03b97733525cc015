"""What other domains hear from accounts, without accounts depending on them.

`session_revoked` is sent with the database session, `auth_session_id` and `reason` when a
login ends (logout, theft of a refresh token): the push domain unregisters the devices that
login registered (backend/push/devices.py connects to it).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()
session_revoked = _signals.signal("session-revoked")
