"""Rate limits: Flask-Limiter's counters kept in Relais' database, keys that hold no secret."""
