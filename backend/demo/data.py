"""The demo's cast: French supplier structures, public recipients, comments."""

from __future__ import annotations

STRUCTURES = [
    ("Menuiserie Lefèvre et Fils", "14 rue Paul-Bert", "69003", "Lyon"),
    ("Atelier numérique bordelais", "5 quai des Chartrons", "33000", "Bordeaux"),
    ("Nettoyage Pro Services", "27 avenue de la République", "59000", "Lille"),
]

# name, services (code, name), directory flags (service code, engagement number)
RECIPIENTS = [
    (
        "Ville de Lyon",
        [
            ("VOIRIE", "Direction de la voirie"),
            ("ECOLES", "Direction de l'éducation"),
            ("ESPACES-VERTS", "Espaces verts"),
        ],
        (True, False),
    ),
    (
        "Centre hospitalier universitaire de Bordeaux",
        [("ACHATS", "Direction des achats")],
        (True, True),
    ),
    (
        "Département du Nord",
        [("COLLEGES", "Service des collèges"), ("ROUTES", "Routes départementales")],
        (False, True),
    ),
    ("Université de Lille", [("LOGISTIQUE", "Direction de la logistique")], (False, False)),
    ("Direction régionale des finances publiques d'Occitanie", [], (False, True)),
    ("Lille Métropole Habitat", [("MAINTENANCE", "Maintenance du patrimoine")], (True, False)),
]

REJECTION_COMMENTS = [
    "Montant TTC différent du bon de commande n° {ej} : merci d'émettre une nouvelle facture.",
    "Cadre de facturation erroné : une facture de sous-traitant (A9) était attendue.",
    "Taux de TVA incorrect (20 % au lieu de 10 % pour ces travaux).",
    "Facture en double : déjà reçue sous un autre numéro.",
]
SUSPENSION_COMMENTS = [
    "Bon de livraison signé manquant : merci de le joindre.",
    "Attestation de service fait à fournir avant traitement.",
    "Relevé d'identité bancaire absent ou illisible.",
    "Détail des heures d'intervention à joindre.",
]
RECYCLE_COMMENTS = [
    "Code service erroné : utiliser le code ECOLES.",
    "Numéro d'engagement inconnu : vérifier le bon de commande.",
    "SIRET du destinataire erroné : la facture concerne l'établissement principal.",
]
OUT_OF_SERVICE_COMMENT = "Facture prise en charge par le service ordonnateur."
