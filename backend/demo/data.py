"""Postal addresses of the demo's supplier structures (the portal sandbox has the rest)."""

from __future__ import annotations

ADDRESSES = [
    ("14 rue Paul-Bert", "69003", "Lyon"),
    ("5 quai des Chartrons", "33000", "Bordeaux"),
    ("27 avenue de la République", "59000", "Lille"),
]
