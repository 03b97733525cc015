"""Exceptions raised by the portal client; their messages are shown to people, in French."""

from __future__ import annotations


class PortalError(Exception):
    """Anything that went wrong while talking to the national portal."""

    message = "Erreur lors de l'échange avec le portail Chorus Pro."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class PortalCredentialsError(PortalError):
    """The gateway refused Relais' own client_id / client_secret (OAuth)."""

    message = (
        "La passerelle PISTE refuse les identifiants de l'application Relais "
        "(client_id / client_secret). Vérifiez la configuration."
    )


class TechnicalAccountError(PortalError):
    """The portal refused the structure's technical account (cpro-account header)."""

    message = (
        "Le portail refuse le compte technique de la structure : vérifiez l'identifiant "
        "et le mot de passe du compte technique Chorus Pro."
    )


class TechnicalPasswordExpiredError(TechnicalAccountError):
    """The technical account's password has expired and must be renewed on the portal."""

    message = (
        "Le mot de passe du compte technique Chorus Pro a expiré. Renouvelez-le sur "
        "Chorus Pro, puis enregistrez le nouveau mot de passe dans Relais."
    )


class StructureNotConnectedError(TechnicalAccountError):
    """The account is known, but its structure is not connected to Relais in API mode."""

    message = (
        "La structure n'est pas raccordée en mode API à l'application Relais sur Chorus Pro : "
        "dans l'espace « Raccordements EDI/API » du portail, demandez le raccordement de la "
        "structure en mode API à l'application Relais, puis réessayez."
    )


class PortalBusinessError(PortalError):
    """The portal answered with a non-zero codeRetour."""

    def __init__(self, code: int, libelle: str, http_status: int = 200) -> None:
        self.code = code
        self.libelle = libelle
        self.http_status = http_status
        super().__init__(f"Le portail a refusé la demande (code {code}) : {libelle}")


class PortalUnavailableError(PortalError):
    """The portal stayed unreachable, slow or overloaded after every retry."""

    def __init__(self, attempts: int, reason: str) -> None:
        self.attempts = attempts
        self.reason = reason
        super().__init__(
            f"Le portail Chorus Pro ne répond pas correctement ({reason}) après "
            f"{attempts} tentative(s). Nouvel essai plus tard."
        )


class PortalResultsUnstableError(PortalError):
    """The search results kept moving between pages, walk after walk."""

    message = (
        "Les résultats du portail Chorus Pro ont changé pendant leur lecture, à chaque essai. "
        "La synchronisation reprendra plus tard depuis le même point : rien n'est perdu."
    )


class PortalProtocolError(PortalError):
    """The portal answered something the client cannot read."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"Réponse inattendue du portail Chorus Pro : {detail}")


class RetryableResponse(Exception):
    """Internal: a 429, a 5xx or a transport failure worth another attempt."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
