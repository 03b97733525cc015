"""A loopback sandbox speaking the national portal's protocol, with its own store."""

from backend.portal.sandbox.app import SandboxApp, create_sandbox_app
from backend.portal.sandbox.clock import ManualClock, real_clock
from backend.portal.sandbox.seed import OAUTH_CLIENT
from backend.portal.sandbox.server import SandboxServer, serve

__all__ = [
    "OAUTH_CLIENT",
    "ManualClock",
    "SandboxApp",
    "SandboxServer",
    "create_sandbox_app",
    "real_clock",
    "serve",
]
