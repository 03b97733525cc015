"""Loopback SMTP fixtures."""

from tests.mail.smtp import inbox, smtp_server

__all__ = ["inbox", "smtp_server"]
