"""Fixed-window counters of Flask-Limiter, shared by every worker through the database."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base

KEY_LENGTH = 255


class RateLimitCounter(Base):
    """Hits of one limit's key in its current window (expires_at: Unix seconds)."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
