"""The status catalogue: the reform's codes, the portal's, and words for every code shown."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.invoices.statuses import (
    REFORM_TO_STATUS,
    Category,
    normalize_code,
    status_info,
    status_label,
)
from backend.portal.sandbox import ManualClock, create_sandbox_app
from backend.push.compose import status_words

pytestmark = pytest.mark.nodb

# The reform's lifecycle codes, named as platforms publish them (NomaUBL's status reference);
# those that mean the same as a portal status are stored under it and keep its label.
REFORM = {
    200: "Déposée", 201: "Émise par la plateforme", 202: "Reçue par la plateforme",
    203: "Mise à disposition du destinataire", 204: "Prise en compte", 205: "Approuvée",
    206: "Approuvée partiellement", 207: "En litige", 208: "Suspendue", 209: "Complétée",
    210: "Refusée", 211: "Mise en paiement", 212: "Encaissée", 213: "Rejetée (plateforme)",
    214: "Visée", 220: "Annulée", 221: "Erreur de routage", 224: "Demande de paiement direct",
    225: "Affacturée", 226: "Affacturée (confidentiel)", 227: "Changement de compte à payer",
    228: "Non affacturée", 501: "Irrecevable",
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(REFORM))
def test_every_reform_code_is_known_with_its_name(code: int) -> None:
    stored = normalize_code(code)
    info = status_info(stored)
    assert info is not None and info.label_fr == REFORM[code]
    assert info.lifecycle_code == code
    assert normalize_code(str(code)) == stored
    assert set(REFORM_TO_STATUS) == set(REFORM)


def test_what_each_new_code_asks_of_the_supplier() -> None:
    def flags(code: int) -> tuple[Category, bool]:
        info = status_info(normalize_code(code))
        assert info is not None
        return info.category, info.final

    assert flags(220) == (Category.CLOSED, True)  # cancelled: closed
    assert flags(501) == (Category.ACTION_REQUIRED, True)  # inadmissible: closed, issue anew
    assert flags(221) == (Category.ACTION_REQUIRED, False)  # the counterpart of À recycler
    assert flags(210) == (Category.ACTION_REQUIRED, True)  # refused by the buyer
    assert flags(214) == (Category.IN_PROGRESS, False)
    assert all(flags(code)[0] is Category.IN_PROGRESS for code in range(224, 229))
    # The portal's REJETEE is the reform's 210, and keeps its own portal label.
    rejected = status_info("REJETEE")
    assert rejected is not None and (rejected.label_fr, rejected.lifecycle_code) == (
        "Rejetée",
        210,
    )


def test_refusals_in_validation_circuits_are_final() -> None:
    for code in ("REFUSEE_1", "REFUSEE_2", "REFUSEE_MOA", "REFUSEE_MOE"):
        info = status_info(code)
        assert info is not None and info.final and info.action_required, code


def test_the_two_recipient_errors_read_differently() -> None:
    pd, ea = status_info("ERREUR_DESTINATAIRE_PD"), status_info("ERREUR_DESTINATAIRE_EA")
    assert pd is not None and ea is not None
    assert pd.label_fr != ea.label_fr and pd.label_en != ea.label_en


def test_an_unknown_code_reads_as_words() -> None:
    assert status_label("EN_ATTENTE_VISA_ORDONNATEUR", "fr") == "En attente visa ordonnateur"
    assert status_label("A_RECYCLER", "fr") == "À recycler"


def test_every_code_the_sandbox_emits_has_words_in_pushes() -> None:
    """The live demo pushed « Nouveau statut : EN_ATTENTE_VISA_ORDONNATEUR »."""
    clock = ManualClock(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    sandbox = create_sandbox_app(None, seed=3, clock=clock, invoices=400).sandbox
    for _ in range(20):
        clock.advance(dt.timedelta(hours=12))
        sandbox.advance()
    codes = {row[0] for row in sandbox.store.rows("SELECT code FROM history")}
    assert {"REJETEE", "SUSPENDUE", "EN_ATTENTE_VISA_ORDONNATEUR"} <= codes
    for code in codes:
        words = status_words(code, "F-1", "Commune", "fr")
        assert code not in words.title and code not in words.body, (code, words)


def test_every_status_that_needs_action_says_what_to_do() -> None:
    from backend.invoices.statuses import STATUSES

    core_and_reform = [
        info for info in STATUSES.values() if info.lifecycle_code or info.code in ("BROUILLON",)
    ]
    for info in core_and_reform:
        if info.action_required:
            assert info.action("fr") and info.action("en"), info.code
