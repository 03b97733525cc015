"""The status catalogue's data: every code Relais knows, its labels and what it asks.

Plain values only (categories by name); `backend.invoices.statuses` builds the lookups.
Sources: the portal's codes and labels (DOMAIN.md, research/portal-domain.md); the reform's
lifecycle codes 200–228 and 501 with their names as published in platform documentation
(e.g. NomaUBL's status reference, docs.nomana-it.fr).
"""

from typing import Any

# The portal's main statuses: (code, French, English, category, reform code, final,
# explanation FR, action FR, explanation EN, action EN).
CORE: list[tuple[Any, ...]] = [
    (
        "BROUILLON",
        "Brouillon",
        "Draft",
        "action_required",
        None,
        False,
        "La facture est enregistrée sur le portail mais n'a jamais été envoyée.",
        "Terminez la saisie puis cliquez sur « Valider et envoyer ».",
        "The invoice is saved on the portal but was never sent.",
        "Finish it and click “Validate and send”.",
    ),
    (
        "DEPOSEE",
        "Déposée",
        "Submitted",
        "in_progress",
        200,
        False,
        "Le portail a intégré la facture et émis le certificat de dépôt. Cet état est bref.",
        "",
        "The portal has integrated the invoice and issued the deposit certificate.",
    ),
    (
        "EN_COURS_ACHEMINEMENT",
        "En cours d'acheminement",
        "Being routed",
        "in_progress",
        201,
        False,
        "La facture est en cours de transmission au destinataire.",
        "",
        "The invoice is being routed to the recipient.",
    ),
    (
        "MISE_A_DISPOSITION",
        "Mise à disposition du destinataire",
        "Available to the recipient",
        "in_progress",
        203,
        False,
        "Le destinataire dispose de la facture et peut la traiter (aussi après un recyclage).",
        "",
        "The recipient has the invoice and can process it (also after recycling).",
    ),
    (
        "PRISE_EN_COMPTE_DESTINATAIRE",
        "Prise en compte",
        "Acknowledged by the recipient",
        "in_progress",
        204,
        False,
        "Le destinataire a pris en compte la facture.",
        "",
        "The recipient has acknowledged the invoice.",
    ),
    (
        "A_RECYCLER",
        "À recycler",
        "To recycle",
        "action_required",
        None,
        False,
        "Le destinataire renvoie la facture : les données d'acheminement sont erronées "
        "(SIRET, code service ou numéro d'engagement).",
        "Corrigez uniquement ces données et renvoyez la facture, sous le même numéro.",
        "The recipient sent the invoice back: its routing data is wrong "
        "(SIRET, service code or engagement number).",
        "Fix only those fields and send it again, with the same invoice number.",
    ),
    (
        "SUSPENDUE",
        "Suspendue",
        "Suspended",
        "action_required",
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
    (
        "COMPLETEE",
        "Complétée",
        "Completed",
        "in_progress",
        209,
        False,
        "Vous avez complété la facture suspendue ; elle est de nouveau chez le destinataire.",
        "",
        "You completed the suspended invoice; it is back with the recipient.",
    ),
    (
        "REJETEE",
        "Rejetée",
        "Rejected",
        "action_required",
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
    (
        "SERVICE_FAIT",
        "Service fait",
        "Service rendered",
        "in_progress",
        205,
        False,
        "Le destinataire a constaté la livraison ou l'exécution (étape facultative).",
        "",
        "The recipient confirmed delivery (optional step).",
    ),
    (
        "MANDATEE",
        "Mandatée",
        "Payment order issued",
        "in_progress",
        205,
        False,
        "Le mandat de paiement est émis ; la facture peut partir chez le comptable "
        "(étape facultative).",
        "",
        "The payment order was issued (optional step).",
    ),
    (
        "MISE_A_DISPOSITION_COMPTABLE",
        "Mise à disposition du comptable",
        "Passed to the public accountant",
        "in_progress",
        None,
        False,
        "La facture est transmise au comptable public (étape facultative).",
        "",
        "The invoice was passed to the public accountant (optional step).",
    ),
    (
        "COMPTABILISEE",
        "Comptabilisée",
        "Recorded by the accountant",
        "in_progress",
        None,
        False,
        "Le comptable public a enregistré la facture (étape facultative).",
        "",
        "The public accountant recorded the invoice (optional step).",
    ),
    (
        "MISE_EN_PAIEMENT",
        "Mise en paiement",
        "Payment released",
        "paid",
        211,
        True,
        "Le comptable a mis la facture en paiement : le virement est en route.",
        "",
        "The accountant released the payment.",
    ),
    (
        "A_COMPLETER",
        "À compléter",
        "To complete",
        "action_required",
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
OTHER: list[tuple[str, str, str, str]] = [
    ("A_VALIDER_1", "À valider (1er valideur)", "To validate (1st validator)", "in_progress"),
    (
        "ERREUR_FOURNISSEUR_SUR_VALIDEUR",
        "Erreur sur le valideur",
        "Validator error",
        "action_required",
    ),
    ("REFUSEE_1", "Refusée par le 1er valideur", "Refused by 1st validator", "action_required"),
    ("VALIDEE_1", "Validée (1er valideur)", "Validated (1st validator)", "in_progress"),
    (
        "ABSENCE_VALIDATION_1_HORS_DELAI",
        "Non validée dans le délai (1er valideur)",
        "Not validated in time (1st validator)",
        "in_progress",
    ),
    ("A_VALIDER_2", "À valider (2e valideur)", "To validate (2nd validator)", "in_progress"),
    (
        "ERREUR_COTRAITANT_SUR_VALIDEUR",
        "Erreur du cotraitant sur le valideur",
        "Co-contractor validator error",
        "action_required",
    ),
    ("REFUSEE_2", "Refusée par le 2e valideur", "Refused by 2nd validator", "action_required"),
    ("VALIDEE_2", "Validée (2e valideur)", "Validated (2nd validator)", "in_progress"),
    (
        "ABSENCE_VALIDATION_2_HORS_DELAI",
        "Non validée dans le délai (2e valideur)",
        "Not validated in time (2nd validator)",
        "in_progress",
    ),
    (
        "ERREUR_FOURNISSEUR_SUR_MOE",
        "Erreur sur la maîtrise d'œuvre",
        "Error on the MOE",
        "action_required",
    ),
    ("ABANDONNEE", "Abandonnée", "Abandoned", "closed"),
    ("SUPPRIMEE", "Supprimée", "Deleted", "closed"),
    ("ASSOCIEE", "Associée", "Associated", "in_progress"),
    ("EN_COURS_TRAITEMENT_PIVOT_S", "En cours de traitement", "Being processed", "in_progress"),
    ("A_VALIDER_MOE", "À valider par la maîtrise d'œuvre", "To validate by the MOE", "in_progress"),
    ("REFUSEE_MOE", "Refusée par la maîtrise d'œuvre", "Refused by the MOE", "action_required"),
    (
        "EN_ATTENTE_RECYCLAGE_FOURNISSEUR",
        "En attente de recyclage",
        "Awaiting recycling",
        "action_required",
    ),
    (
        "ERREUR_MOE_SUR_FOURNISSEUR",
        "Erreur de la MOE sur le fournisseur",
        "MOE error on the supplier",
        "action_required",
    ),
    (
        "ERREUR_MOA_SUR_FOURNISSEUR",
        "Erreur de la MOA sur le fournisseur",
        "MOA error on the supplier",
        "action_required",
    ),
    ("INTERPRETEE_OCR", "Interprétée (OCR)", "Read by OCR", "in_progress"),
    (
        "ERREUR_FOURNISSEUR_SUR_MOA",
        "Erreur sur la maîtrise d'ouvrage",
        "Error on the MOA",
        "action_required",
    ),
    ("ERREUR_MOE_SUR_MOA", "Erreur de la MOE sur la MOA", "MOE error on the MOA", "in_progress"),
    # The portal does not publish what PD and EA stand for: the labels keep them apart.
    (
        "ERREUR_DESTINATAIRE_PD",
        "Erreur de destinataire (PD)",
        "Recipient error (PD)",
        "action_required",
    ),
    (
        "ERREUR_DESTINATAIRE_EA",
        "Erreur de destinataire (EA)",
        "Recipient error (EA)",
        "action_required",
    ),
    ("NON_CONFORME", "Non conforme", "Not compliant", "action_required"),
    (
        "A_ASSOCIER_MOE",
        "À associer par la maîtrise d'œuvre",
        "To associate by the MOE",
        "in_progress",
    ),
    ("ERREUR_DE_MOE", "Erreur de maîtrise d'œuvre", "MOE error", "action_required"),
    (
        "MISE_A_DISPOSITION_MOE",
        "Mise à disposition de la maîtrise d'œuvre",
        "Available to the MOE",
        "in_progress",
    ),
    (
        "PRISE_EN_COMPTE_MOE",
        "Prise en compte par la maîtrise d'œuvre",
        "Acknowledged by the MOE",
        "in_progress",
    ),
    (
        "A_ASSOCIER_MOA",
        "À associer par la maîtrise d'ouvrage",
        "To associate by the MOA",
        "in_progress",
    ),
    ("ERREUR_DE_MOA", "Erreur de maîtrise d'ouvrage", "MOA error", "action_required"),
    ("REFUSEE_MOA", "Refusée par la maîtrise d'ouvrage", "Refused by the MOA", "action_required"),
    (
        "A_ASSOCIER_FOURNISSEUR",
        "À associer par le fournisseur",
        "To associate by the supplier",
        "action_required",
    ),
    ("REFUSEE_FOURNISSEUR", "Refusée par le fournisseur", "Refused by the supplier", "closed"),
    ("TRANSMISE_MOA", "Transmise à la maîtrise d'ouvrage", "Forwarded to the MOA", "in_progress"),
    ("REMPLACEE_PAR_A22", "Remplacée (cadre A22)", "Replaced (framework A22)", "closed"),
    ("DUPLIQUE_APRES_REFUS", "Dupliquée après refus", "Duplicated after refusal", "closed"),
    (
        "MISE_A_DISPOSITION_MOA",
        "Mise à disposition de la maîtrise d'ouvrage",
        "Available to the MOA",
        "in_progress",
    ),
    (
        "PRISE_EN_COMPTE_MOA",
        "Prise en compte par la maîtrise d'ouvrage",
        "Acknowledged by the MOA",
        "in_progress",
    ),
    (
        "ABSENCE_VALIDATION_MOE_DELAI_REGLEMENTAIRE",
        "Non validée par la MOE dans le délai",
        "Not validated by the MOE in time",
        "in_progress",
    ),
    ("TECHNIQUE_INCONNU", "État technique inconnu", "Unknown technical state", "in_progress"),
]

# Reform lifecycle codes whose meaning no portal status carries exactly are stored under
# their number: (code, French, English, category, final).
REFORM_ONLY: list[tuple[str, str, str, str, bool]] = [
    ("201", "Émise par la plateforme", "Issued by the platform", "in_progress", False),
    ("202", "Reçue par la plateforme", "Received by the platform", "in_progress", False),
    ("205", "Approuvée", "Approved", "in_progress", False),
    ("206", "Approuvée partiellement", "Partly approved", "in_progress", False),
    ("207", "En litige", "Disputed", "action_required", False),
    # The buyer refuses the invoice (the portal's REJETEE maps to it): issue a new one.
    ("210", "Refusée", "Refused", "action_required", True),
    ("212", "Encaissée", "Cashed", "paid", True),
    # The platform refuses it on its checks: a new invoice is needed.
    ("213", "Rejetée (plateforme)", "Rejected by the platform", "action_required", True),
    ("214", "Visée", "Endorsed", "in_progress", False),
    ("220", "Annulée", "Cancelled", "closed", True),
    # The counterpart of À recycler: the routing data is wrong, fix it and send it again.
    ("221", "Erreur de routage", "Routing error", "action_required", False),
    # Payment-related statuses: who is to be paid, and how.
    ("224", "Demande de paiement direct", "Direct payment request", "in_progress", False),
    ("225", "Affacturée", "Factored", "in_progress", False),
    ("226", "Affacturée (confidentiel)", "Factored (confidential)", "in_progress", False),
    ("227", "Changement de compte à payer", "Change of payee account", "in_progress", False),
    ("228", "Non affacturée", "Not factored", "in_progress", False),
    # Refused as inadmissible: the invoice is closed, a new one is needed.
    ("501", "Irrecevable", "Inadmissible", "action_required", True),
]

# A refusal in a validation circuit ends the invoice, as a rejection does: issue a new one.
REFUSALS = frozenset({"REFUSEE_1", "REFUSEE_2", "REFUSEE_MOE", "REFUSEE_MOA"})
# What the reform's statuses that need action ask of the supplier: (French, English).
REFORM_ACTIONS = {
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
