"""Participant list as CSV for French spreadsheets: UTF-8 with BOM and `;` (what Excel set
to French expects), no formulas from what people typed.

Two cells are written for the spreadsheet to read them right:
- « Inscrit le » in ISO form, Paris time (`2026-12-07 13:05`): Excel and LibreOffice read it
  as a date and time in any language setting, so the column sorts; `07/12/2026` would be read
  as 12 July under an English setting.
- the SIRET as `="73282932000074"`: Excel, and LibreOffice when it evaluates formulas, keep it
  as text (a bare 14-digit number is shown as 7,32829E+13); where formulas are not evaluated
  the 14 digits still read in full. A leading apostrophe would show in both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from backend.trainings.models import Registration, RegistrationState
from backend.trainings.present import paris

HEADER = [
    "Nom",
    "E-mail",
    "Structure",
    "SIRET",
    "Statut",
    "Rang en liste d'attente",
    "Inscrit le",
    "Présent",
]
STATE_LABELS = {
    RegistrationState.CONFIRMED: "Confirmé",
    RegistrationState.PENDING: "En attente de confirmation",
    RegistrationState.WAITING: "Liste d'attente",
    RegistrationState.CANCELLED: "Annulé",
    RegistrationState.EXPIRED: "Expiré",
}
# Rows by status, in this order (the labels' order); arrival order within each.
ORDER = {state: n for n, state in enumerate(STATE_LABELS)}
ATTENDANCE = {True: "oui", False: "non", None: ""}
# Spreadsheets run cells starting with these as formulas (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Flatten line breaks and defuse a leading formula character with a quote."""
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def siret_cell(siret: str | None) -> str:
    """The SIRET as a text formula when it is digits (as sign-up checks), else defused."""
    if not siret:
        return ""
    return f'="{siret}"' if siret.isdigit() else neutralise(siret)


def registered_at(reg: Registration) -> str:
    return paris(reg.created_at).strftime("%Y-%m-%d %H:%M")


def participants_csv(registrations: Iterable[Registration]) -> bytes:
    """Registrations in arrival order in, rows grouped by status out."""
    rows = sorted(registrations, key=lambda r: ORDER[r.state])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    rank = 0
    for reg in rows:
        waiting = reg.state == RegistrationState.WAITING
        if waiting:
            rank += 1
        typed = [neutralise(v) for v in (reg.full_name, reg.email, reg.structure_name)]
        writer.writerow(
            [
                *typed,
                siret_cell(reg.siret),
                STATE_LABELS[reg.state],
                str(rank) if waiting else "",
                registered_at(reg),
                ATTENDANCE[reg.attended],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
