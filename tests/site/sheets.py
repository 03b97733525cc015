"""The practical sheets the site publishes, each a page and a two-page PDF."""

SHEETS = [
    "creer-un-compte",
    "administrer-les-structures",
    "administrer-les-utilisateurs",
    "saisir-une-facture",
    "deposer-une-facture",
    "annuaire-structures-publiques",
    "faire-appel-assistance",
    "espaces-du-portail",
    "note-honoraires-moe",
    "rechercher-une-facture",
]
