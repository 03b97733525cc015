"""Where the portal lives: base URLs, token URLs and the API paths Relais calls."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalEnvironment:
    """An API base URL (paths under /cpro/ are appended) and its OAuth token URL."""

    name: str
    api_base: str
    token_url: str

    @classmethod
    def local(cls, base_url: str) -> PortalEnvironment:
        """Our loopback sandbox, which serves the token endpoint on the same host."""
        base = base_url.rstrip("/")
        return cls("local", base, base + TOKEN_PATH)


# Source: research/portal-domain.md §2.1 — OCA l10n-france `models/res_company.py`
# (API_URL, TOKEN_URL, QUALIF_API_URL, QUALIF_TOKEN_URL) and go-choruspro `choruspro.go`.
PRODUCTION = PortalEnvironment(
    "production", "https://api.piste.gouv.fr", "https://oauth.piste.gouv.fr/api/oauth/token"
)
QUALIFICATION = PortalEnvironment(
    "qualification",
    "https://sandbox-api.piste.gouv.fr",
    "https://sandbox-oauth.piste.gouv.fr/api/oauth/token",
)
ENVIRONMENTS = {env.name: env for env in (PRODUCTION, QUALIFICATION)}

TOKEN_PATH = "/api/oauth/token"
SEARCH_SUPPLIER_INVOICES = "/cpro/factures/v1/rechercher/fournisseur"
INVOICE_HISTORY = "/cpro/factures/v1/consulter/historique"
CONSULT_SUPPLIER_INVOICE = "/cpro/factures/v1/consulter/fournisseur"
CONSULT_STRUCTURE = "/cpro/structures/v1/consulter"
# The structures the technical account is attached to and may read issued invoices of
# (go-choruspro `RecupererStructuresActivesFournisseur`): who the account belongs to.
ACTIVE_SUPPLIER_STRUCTURES = "/cpro/transverses/v1/recuperer/structures/actives/fournisseur"

# Documented by a recorded answer (DOMAIN.md, Pastell on the recipient search): an empty
# search answers codeRetour 20000, "TRA_MSG_00.015 La recherche n'a retourné aucun résultat".
# It is an empty page, not an error.
CODE_NO_RESULT = 20000

# Sandbox convention, not a published code (inference): how the sandbox says that the
# technical account's password has expired; the client also matches "expir" in the libellé.
CODE_PASSWORD_EXPIRED = 20001
CODE_ACCOUNT_REFUSED = 20002
# Sandbox convention too (inference): the account is right but its structure is not connected
# (raccordée) in API mode to Relais' PISTE application; the client also matches "raccord".
CODE_NOT_CONNECTED = 20004
