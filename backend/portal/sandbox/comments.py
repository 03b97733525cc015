"""Realistic French comments recipients and suppliers leave on status changes."""

from __future__ import annotations

import random

RECYCLING = (
    "Code service erroné : la facture doit être adressée au service {service}.",
    "Numéro d'engagement juridique absent ou inconnu : reportez l'EJ figurant sur le bon "
    "de commande.",
    "SIRET du destinataire erroné : la facture concerne l'établissement principal.",
    "Numéro de bon de commande {ej} clôturé : merci d'indiquer l'EJ de l'avenant.",
)
RECYCLED = (
    "Facture recyclée par le fournisseur : code service corrigé.",
    "Facture recyclée par le fournisseur : numéro d'engagement juridique ajouté.",
    "Données d'acheminement corrigées par le fournisseur.",
)
SUSPENSION = (
    "Pièce justificative manquante : merci de joindre le bon de livraison signé.",
    "Procès-verbal de réception des prestations manquant.",
    "Attestation de sous-traitance (DC4) à joindre à la facture.",
    "RIB manquant ou illisible : merci de joindre un RIB à jour.",
    "Détail des heures réalisées à joindre (feuilles d'émargement de la formation).",
    "Bon de commande signé à joindre : le montant dépasse le seuil de délégation.",
)
COMPLETION = (
    "Pièces jointes ajoutées par le fournisseur : bon de livraison signé.",
    "Complément apporté par le fournisseur : RIB à jour joint.",
    "Complément apporté par le fournisseur : procès-verbal de réception joint.",
    "Le fournisseur a ajouté un commentaire et les justificatifs demandés.",
)
REJECTION = (
    "Montant erroné : le montant TTC ne correspond pas au bon de commande {ej}.",
    "Cadre de facturation erroné : la facture d'un sous-traitant doit être déposée en A9.",
    "Doublon : facture déjà reçue et traitée sous le numéro {number}.",
    "Taux de TVA erroné : prestation soumise au taux réduit de 10 %.",
    "Prestation non commandée par nos services : merci de vous rapprocher de l'acheteur.",
    "Facture émise à l'ordre d'une autre entité : merci de la réémettre au bon destinataire.",
)
PAYMENT = (
    None,
    None,
    "Paiement par virement, référence de mandat {mandate}.",
)
LATE_MANDATE = "Mandat {mandate} saisi a posteriori dans le logiciel financier."
UNKNOWN = "Étape de contrôle interne du destinataire."


def pick(rng: random.Random, choices: tuple[str | None, ...], **values: object) -> str | None:
    """One comment, filled in with the invoice's own data."""
    text = rng.choice(choices)
    return text.format(**values) if text else None
