"""The catalogue of invoice statuses: labels, categories, reform codes, what to do.

Sources: the portal's codes and labels (DOMAIN.md, research/portal-domain.md); the reform's
lifecycle codes 200–228 and 501 with their names as published in platform documentation
(e.g. NomaUBL's status reference, docs.nomana-it.fr); the mapping of portal codes to reform
codes published with DOMAIN.md. The portal's list is not closed: codes missing here are
stored as sent and shown with a label made from the code (`status_label`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Category(enum.StrEnum):
    """How a status concerns the supplier."""

    IN_PROGRESS = "in_progress"
    ACTION_REQUIRED = "action_required"
    PAID = "paid"
    CLOSED = "closed"


CATEGORY_LABELS = {
    Category.IN_PROGRESS: ("En cours de traitement", "In progress"),
    Category.ACTION_REQUIRED: ("Action requise", "Action required"),
    Category.PAID: ("Payée", "Paid"),
    Category.CLOSED: ("Clôturée", "Closed"),
}


@dataclass(frozen=True)
class StatusInfo:
    """What Relais knows about one status code."""

    code: str
    label_fr: str
    label_en: str
    category: Category
    lifecycle_code: int | None = None
    final: bool = False
    explanation_fr: str = ""
    action_fr: str = ""
    explanation_en: str = ""
    action_en: str = ""

    @property
    def action_required(self) -> bool:
        return self.category is Category.ACTION_REQUIRED

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_fr

    def explanation(self, locale: str) -> str:
        return (
            (self.explanation_en or self.explanation_fr) if locale == "en" else self.explanation_fr
        )

    def action(self, locale: str) -> str:
        return (self.action_en or self.action_fr) if locale == "en" else self.action_fr


P, A, PAID, C = (
    Category.IN_PROGRESS,
    Category.ACTION_REQUIRED,
    Category.PAID,
    Category.CLOSED,
)

_CORE = [
    StatusInfo(
        "BROUILLON",
        "Brouillon",
        "Draft",
        A,
        None,
        False,
        "La facture est enregistrée sur le portail mais n'a jamais été envoyée.",
        "Terminez la saisie puis cliquez sur « Valider et envoyer ».",
        "The invoice is saved on the portal but was never sent.",
        "Finish it and click “Validate and send”.",
    ),
    StatusInfo(
        "DEPOSEE",
        "Déposée",
        "Submitted",
        P,
        200,
        False,
        "Le portail a intégré la facture et émis le certificat de dépôt. Cet état est bref.",
        "",
        "The portal has integrated the invoice and issued the deposit certificate.",
    ),
    StatusInfo(
        "EN_COURS_ACHEMINEMENT",
        "En cours d'acheminement",
        "Being routed",
        P,
        201,
        False,
        "La facture est en cours de transmission au destinataire.",
        "",
        "The invoice is being routed to the recipient.",
    ),
    StatusInfo(
        "MISE_A_DISPOSITION",
        "Mise à disposition du destinataire",
        "Available to the recipient",
        P,
        203,
        False,
        "Le destinataire dispose de la facture et peut la traiter (aussi après un recyclage).",
        "",
        "The recipient has the invoice and can process it (also after recycling).",
    ),
    StatusInfo(
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "Prise en compte",
        "Acknowledged by the recipient",
        P,
        204,
        False,
        "Le destinataire a pris en compte la facture.",
        "",
        "The recipient has acknowledged the invoice.",
    ),
    StatusInfo(
        "A_RECYCLER",
        "À recycler",
        "To recycle",
        A,
        None,
        False,
        "Le destinataire renvoie la facture : les données d'acheminement sont erronées "
        "(SIRET, code service ou numéro d'engagement).",
        "Corrigez uniquement ces données et renvoyez la facture, sous le même numéro.",
        "The recipient sent the invoice back: its routing data is wrong "
        "(SIRET, service code or engagement number).",
        "Fix only those fields and send it again, with the same invoice number.",
    ),
    StatusInfo(
        "SUSPENDUE",
        "Suspendue",
        "Suspended",
        A,
        208,
        False,
        "Le traitement est interrompu : des pièces justificatives manquent. "
        "Le motif est indiqué en commentaire.",
        "Complétez la facture (pièces jointes ou commentaire) sur le portail. Une fenêtre "
        "vous la rappelle à la connexion ; après 7 jours, son acquittement est obligatoire.",
        "Processing is paused: supporting documents are missing. The reason is in the comment.",
        "Complete the invoice (attachments or a comment) on the portal. A pop-up reminds you "
        "at login; after 7 days, acknowledging it is mandatory.",
    ),
    StatusInfo(
        "COMPLETEE",
        "Complétée",
        "Completed",
        P,
        209,
        False,
        "Vous avez complété la facture suspendue ; elle est de nouveau chez le destinataire.",
        "",
        "You completed the suspended invoice; it is back with the recipient.",
    ),
    StatusInfo(
        "REJETEE",
        "Rejetée",
        "Rejected",
        A,
        210,
        True,
        "Le destinataire refuse la facture pour une erreur de facturation (montant, cadre…). "
        "Le motif est indiqué en commentaire. La facture est annulée.",
        "Acquittez le rejet sur le portail (une fenêtre le rappelle à la connexion ; après "
        "7 jours, l'acquittement est obligatoire), puis « Traiter le rejet » le retire de la "
        "Synthèse. Émettez une nouvelle facture avec un nouveau numéro.",
        "The recipient refused the invoice for a billing error (amount, framework…). "
        "The reason is in the comment. The invoice is cancelled.",
        "Acknowledge the rejection on the portal (a pop-up reminds you at login; after 7 days "
        "it is mandatory); “Traiter le rejet” then removes it from the Synthèse. Issue a new "
        "invoice with a new number.",
    ),
    StatusInfo(
        "SERVICE_FAIT",
        "Service fait",
        "Service rendered",
        P,
        205,
        False,
        "Le destinataire a constaté la livraison ou l'exécution (étape facultative).",
        "",
        "The recipient confirmed delivery (optional step).",
    ),
    StatusInfo(
        "MANDATEE",
        "Mandatée",
        "Payment order issued",
        P,
        205,
        False,
        "Le mandat de paiement est émis ; la facture peut partir chez le comptable "
        "(étape facultative).",
        "",
        "The payment order was issued (optional step).",
    ),
    StatusInfo(
        "MISE_A_DISPOSITION_COMPTABLE",
        "Mise à disposition du comptable",
        "Passed to the public accountant",
        P,
        None,
        False,
        "La facture est transmise au comptable public (étape facultative).",
        "",
        "The invoice was passed to the public accountant (optional step).",
    ),
    StatusInfo(
        "COMPTABILISEE",
        "Comptabilisée",
        "Recorded by the accountant",
        P,
        None,
        False,
        "Le comptable public a enregistré la facture (étape facultative).",
        "",
        "The public accountant recorded the invoice (optional step).",
    ),
    StatusInfo(
        "MISE_EN_PAIEMENT",
        "Mise en paiement",
        "Payment released",
        PAID,
        211,
        True,
        "Le comptable a mis la facture en paiement : le virement est en route.",
        "",
        "The accountant released the payment.",
    ),
    StatusInfo(
        "A_COMPLETER",
        "À compléter",
        "To complete",
        A,
        208,
        False,
        "La facture doit être complétée (surtout pour les factures de travaux).",
        "Complétez la facture avec les informations ou pièces demandées.",
        "The invoice must be completed (mostly works invoices).",
        "Complete it with the requested information or documents.",
    ),
]

# The rest of the portal's published list, with labels; mostly validation circuits,
# works invoices and technical states.
_OTHER = [
    ("A_VALIDER_1", "À valider (1er valideur)", "To validate (1st validator)", P),
    ("ERREUR_FOURNISSEUR_SUR_VALIDEUR", "Erreur sur le valideur", "Validator error", A),
    ("REFUSEE_1", "Refusée par le 1er valideur", "Refused by 1st validator", A),
    ("VALIDEE_1", "Validée (1er valideur)", "Validated (1st validator)", P),
    (
        "ABSENCE_VALIDATION_1_HORS_DELAI",
        "Non validée dans le délai (1er valideur)",
        "Not validated in time (1st validator)",
        P,
    ),
    ("A_VALIDER_2", "À valider (2e valideur)", "To validate (2nd validator)", P),
    (
        "ERREUR_COTRAITANT_SUR_VALIDEUR",
        "Erreur du cotraitant sur le valideur",
        "Co-contractor validator error",
        A,
    ),
    ("REFUSEE_2", "Refusée par le 2e valideur", "Refused by 2nd validator", A),
    ("VALIDEE_2", "Validée (2e valideur)", "Validated (2nd validator)", P),
    (
        "ABSENCE_VALIDATION_2_HORS_DELAI",
        "Non validée dans le délai (2e valideur)",
        "Not validated in time (2nd validator)",
        P,
    ),
    ("ERREUR_FOURNISSEUR_SUR_MOE", "Erreur sur la maîtrise d'œuvre", "Error on the MOE", A),
    ("ABANDONNEE", "Abandonnée", "Abandoned", C),
    ("SUPPRIMEE", "Supprimée", "Deleted", C),
    ("ASSOCIEE", "Associée", "Associated", P),
    ("EN_COURS_TRAITEMENT_PIVOT_S", "En cours de traitement", "Being processed", P),
    ("A_VALIDER_MOE", "À valider par la maîtrise d'œuvre", "To validate by the MOE", P),
    ("REFUSEE_MOE", "Refusée par la maîtrise d'œuvre", "Refused by the MOE", A),
    ("EN_ATTENTE_RECYCLAGE_FOURNISSEUR", "En attente de recyclage", "Awaiting recycling", A),
    (
        "ERREUR_MOE_SUR_FOURNISSEUR",
        "Erreur de la MOE sur le fournisseur",
        "MOE error on the supplier",
        A,
    ),
    (
        "ERREUR_MOA_SUR_FOURNISSEUR",
        "Erreur de la MOA sur le fournisseur",
        "MOA error on the supplier",
        A,
    ),
    ("INTERPRETEE_OCR", "Interprétée (OCR)", "Read by OCR", P),
    ("ERREUR_FOURNISSEUR_SUR_MOA", "Erreur sur la maîtrise d'ouvrage", "Error on the MOA", A),
    ("ERREUR_MOE_SUR_MOA", "Erreur de la MOE sur la MOA", "MOE error on the MOA", P),
    # The portal does not publish what PD and EA stand for: the labels keep them apart.
    ("ERREUR_DESTINATAIRE_PD", "Erreur de destinataire (PD)", "Recipient error (PD)", A),
    ("ERREUR_DESTINATAIRE_EA", "Erreur de destinataire (EA)", "Recipient error (EA)", A),
    ("NON_CONFORME", "Non conforme", "Not compliant", A),
    ("A_ASSOCIER_MOE", "À associer par la maîtrise d'œuvre", "To associate by the MOE", P),
    ("ERREUR_DE_MOE", "Erreur de maîtrise d'œuvre", "MOE error", A),
    (
        "MISE_A_DISPOSITION_MOE",
        "Mise à disposition de la maîtrise d'œuvre",
        "Available to the MOE",
        P,
    ),
    (
        "PRISE_EN_COMPTE_MOE",
        "Prise en compte par la maîtrise d'œuvre",
        "Acknowledged by the MOE",
        P,
    ),
    ("A_ASSOCIER_MOA", "À associer par la maîtrise d'ouvrage", "To associate by the MOA", P),
    ("ERREUR_DE_MOA", "Erreur de maîtrise d'ouvrage", "MOA error", A),
    ("REFUSEE_MOA", "Refusée par la maîtrise d'ouvrage", "Refused by the MOA", A),
    ("A_ASSOCIER_FOURNISSEUR", "À associer par le fournisseur", "To associate by the supplier", A),
    ("REFUSEE_FOURNISSEUR", "Refusée par le fournisseur", "Refused by the supplier", C),
    ("TRANSMISE_MOA", "Transmise à la maîtrise d'ouvrage", "Forwarded to the MOA", P),
    ("REMPLACEE_PAR_A22", "Remplacée (cadre A22)", "Replaced (framework A22)", C),
    ("DUPLIQUE_APRES_REFUS", "Dupliquée après refus", "Duplicated after refusal", C),
    (
        "MISE_A_DISPOSITION_MOA",
        "Mise à disposition de la maîtrise d'ouvrage",
        "Available to the MOA",
        P,
    ),
    (
        "PRISE_EN_COMPTE_MOA",
        "Prise en compte par la maîtrise d'ouvrage",
        "Acknowledged by the MOA",
        P,
    ),
    (
        "ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE",
        "Non validée par la MOE dans le délai",
        "Not validated by the MOE in time",
        P,
    ),
    ("TECHNIQUE_INCONNU", "État technique inconnu", "Unknown technical state", P),
]

# Reform lifecycle codes whose meaning no portal status carries exactly are stored under
# their number: (code, French, English, category, final).
_REFORM_ONLY = [
    ("201", "Émise par la plateforme", "Issued by the platform", P, False),
    ("202", "Reçue par la plateforme", "Received by the platform", P, False),
    ("205", "Approuvée", "Approved", P, False),
    ("206", "Approuvée partiellement", "Partly approved", P, False),
    ("207", "En litige", "Disputed", A, False),
    # The buyer refuses the invoice (the portal's REJETEE maps to it): issue a new one.
    ("210", "Refusée", "Refused", A, True),
    ("212", "Encaissée", "Cashed", PAID, True),
    # The platform refuses it on its checks: a new invoice is needed.
    ("213", "Rejetée (plateforme)", "Rejected by the platform", A, True),
    ("214", "Visée", "Endorsed", P, False),
    ("220", "Annulée", "Cancelled", C, True),
    # The counterpart of À recycler: the routing data is wrong, fix it and send it again.
    ("221", "Erreur de routage", "Routing error", A, False),
    # Payment-related statuses: who is to be paid, and how.
    ("224", "Demande de paiement direct", "Direct payment request", P, False),
    ("225", "Affacturée", "Factored", P, False),
    ("226", "Affacturée (confidentiel)", "Factored (confidential)", P, False),
    ("227", "Changement de compte à payer", "Change of payee account", P, False),
    ("228", "Non affacturée", "Not factored", P, False),
    # Refused as inadmissible: the invoice is closed, a new one is needed.
    ("501", "Irrecevable", "Inadmissible", A, True),
]

STATUSES: dict[str, StatusInfo] = {s.code: s for s in _CORE}
# A refusal in a validation circuit ends the invoice, as a rejection does: issue a new one.
_REFUSALS = frozenset({"REFUSEE_1", "REFUSEE_2", "REFUSEE_MOE", "REFUSEE_MOA"})
STATUSES.update(
    {
        code: StatusInfo(code, fr, en, cat, None, cat is C or code in _REFUSALS)
        for code, fr, en, cat in _OTHER
    }
)
# What the reform's statuses that need action ask of the supplier: (French, English).
_REFORM_ACTIONS = {
    "207": (
        "Prenez contact avec votre client pour régler le litige.",
        "Contact your customer to settle the dispute.",
    ),
    "210": (
        "Votre client refuse la facture : émettez-en une nouvelle, avec un nouveau numéro, "
        "en tenant compte du motif.",
        "Your customer refused the invoice: issue a new one, with a new number, "
        "taking the reason into account.",
    ),
    "213": (
        "La plateforme a rejeté la facture à ses contrôles : corrigez-la et émettez-la de "
        "nouveau, avec un nouveau numéro.",
        "The platform rejected the invoice on its checks: fix it and issue it again, "
        "with a new number.",
    ),
    "221": (
        "Les données d'acheminement sont erronées : corrigez-les et renvoyez la facture.",
        "The routing data is wrong: fix it and send the invoice again.",
    ),
    "501": (
        "La facture est irrecevable : émettez-en une nouvelle, avec un nouveau numéro.",
        "The invoice is inadmissible: issue a new one, with a new number.",
    ),
}
STATUSES.update(
    {
        code: StatusInfo(
            code,
            fr,
            en,
            cat,
            int(code),
            final,
            action_fr=_REFORM_ACTIONS.get(code, ("", ""))[0],
            action_en=_REFORM_ACTIONS.get(code, ("", ""))[1],
        )
        for code, fr, en, cat, final in _REFORM_ONLY
    }
)
# Reform code -> the status Relais stores for it: the portal's status when it means the same.
REFORM_TO_STATUS: dict[int, str] = {
    200: "DEPOSEE",
    203: "MISE_A_DISPOSITION",
    204: "PRISE_EN_COMPTE_DESTINATAIRE",
    208: "SUSPENDUE",
    209: "COMPLETEE",
    211: "MISE_EN_PAIEMENT",
    **{int(code): code for code, *_ in _REFORM_ONLY},
}

# The Synthèse: what waits for the supplier, in the portal's order.
TODO_CODES = ("BROUILLON", "A_RECYCLER", "SUSPENDUE", "REJETEE", "A_COMPLETER")
# Statuses the portal asks the supplier to acknowledge at login: after ACK_DAYS days the
# acknowledgement is mandatory (a pop-up, not a legal deadline).
ACK_CODES = frozenset({"SUSPENDUE", "REJETEE"})
ACK_DAYS = 7


def status_info(code: str) -> StatusInfo | None:
    """Return what Relais knows of a code, or None for an unknown one."""
    return STATUSES.get(code)


def status_label(code: str, lang: str) -> str:
    """A status's label; an unknown code reads as words (EN_ATTENTE_VISA_ORDONNATEUR:
    « En attente visa ordonnateur »), never as a raw code in a push or a page."""
    info = STATUSES.get(code)
    if info is not None:
        return info.label(lang)
    words = code.replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else code


def normalize_code(code: str | int) -> str:
    """Map a reform lifecycle code (200–228, 501) to the stored status; keep others as
    given."""
    text = str(code).strip()
    # isdecimal, not isdigit: "²" is a digit to Python but int() refuses it.
    if text.isascii() and text.isdecimal() and int(text) in REFORM_TO_STATUS:
        return REFORM_TO_STATUS[int(text)]
    return text.upper()


def codes_in_category(category: Category) -> list[str]:
    return sorted(code for code, info in STATUSES.items() if info.category is category)
