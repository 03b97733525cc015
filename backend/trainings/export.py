"""Participant list as CSV for French spreadsheets: UTF-8 with BOM, `;`, no formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from backend.trainings.models import Registration, RegistrationState
from backend.trainings.present import day, hour

HEADER = ["Nom", "E-mail", "Structure", "SIRET", "État", "Inscrit le", "Présent"]
STATE_LABELS = {
    RegistrationState.PENDING: "En attente de confirmation",
    RegistrationState.CONFIRMED: "Confirmé",
    RegistrationState.WAITING: "Liste d'attente",
    RegistrationState.CANCELLED: "Annulé",
    RegistrationState.EXPIRED: "Expiré",
}
ATTENDANCE = {True: "oui", False: "non", None: ""}
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Flatten line breaks and defuse a leading formula character with a quote."""
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def participants_csv(registrations: Iterable[Registration]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for reg in registrations:
        row = [
            reg.full_name,
            reg.email,
            reg.structure_name,
            reg.siret or "",
            STATE_LABELS[reg.state],
            f"{day(reg.created_at)} {hour(reg.created_at)}",
            ATTENDANCE[reg.attended],
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
