"""Configuration: every environment variable is read here, once, with a default."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _setting(env: str, default: Any, coerce: Callable[[str], Any] = str, doc: str = "") -> Any:
    return field(default=default, metadata={"env": env, "coerce": coerce, "doc": doc})


@dataclass
class Config:
    """Settings of one Relais process; `from_env` maps each variable once."""

    instance_path: str = _setting(
        "RELAIS_INSTANCE", str(DEFAULT_INSTANCE), doc="Dossier des données locales"
    )
    database_url: str = _setting("DATABASE_URL", "", doc="Base de données (SQLite par défaut)")
    secret_key: str = _setting("SECRET_KEY", "", doc="Clé de signature (générée si absente)")
    demo_mode: bool = _setting("RELAIS_DEMO", False, _bool, doc="Mode démonstration")
    access_token_ttl: int = _setting("ACCESS_TOKEN_TTL", 600, int, doc="Durée du jeton d'accès (s)")
    refresh_token_ttl: int = _setting(
        "REFRESH_TOKEN_TTL", 30 * 24 * 3600, int, doc="Durée du jeton de rafraîchissement (s)"
    )
    refresh_reuse_grace: int = _setting(
        "REFRESH_REUSE_GRACE_SECONDS",
        30,
        int,
        doc="Délai pendant lequel un jeton de rafraîchissement tout juste échangé peut l'être "
        "de nouveau si la réponse s'est perdue (s ; 0 : jamais)",
    )
    ratelimit_storage_uri: str = _setting(
        "RATELIMIT_STORAGE_URI",
        "relais-db://",
        doc="Stockage des limites de débit : la base de Relais, redis://… ou memory://",
    )
    trusted_proxies: int = _setting(
        "TRUSTED_PROXIES",
        0,
        int,
        doc="Nombre de mandataires inverses de confiance (X-Forwarded-For)",
    )
    max_body_bytes: int = _setting(
        "MAX_BODY_BYTES", 2 * 1024 * 1024, int, doc="Taille maximale d'un corps de requête (octets)"
    )
    login_rate_limit: str = _setting(
        "LOGIN_RATE_LIMIT", "10 per minute;50 per hour", doc="Limite des tentatives de connexion"
    )
    sql_echo: bool = _setting("SQL_ECHO", False, _bool, doc="Journaliser le SQL")
    response_cache: bool | None = _setting(
        "RESPONSE_CACHE", None, _bool, doc="Cache des réponses de lecture (actif sauf en test)"
    )
    auth_cache: bool | None = _setting(
        "AUTH_CACHE",
        None,
        _bool,
        doc="Sessions et versions gardées par processus, tenues à jour par NOTIFY "
        "(PostgreSQL ; actif sauf en test)",
    )
    cache_url: str = _setting("CACHE_URL", "", doc="Cache partagé redis://… (vide : en mémoire)")
    response_cache_mb: int = _setting(
        "RESPONSE_CACHE_MB", 64, int, doc="Taille du cache en mémoire, par processus (Mio)"
    )
    host: str = _setting("HOST", "127.0.0.1", doc="Adresse d'écoute de `make run`")
    port: int = _setting("PORT", 8000, int, doc="Port du serveur web")
    site_dir: str = _setting(
        "SITE_DIR", str(ROOT / "docs_site" / "site"), doc="Site communautaire construit, servi à /"
    )
    scheduler_heartbeat_seconds: float = _setting(
        "SCHEDULER_HEARTBEAT_SECONDS", 60.0, float, doc="Période du battement du planificateur (s)"
    )
    scheduler_lease_seconds: float = _setting(
        "SCHEDULER_LEASE_SECONDS", 30.0, float, doc="Durée du bail du planificateur actif (s)"
    )
    public_base_url: str = _setting(
        "PUBLIC_BASE_URL", "", doc="Adresse publique du site (liens des e-mails ; HOST:PORT)"
    )
    mail_from: str = _setting(
        "MAIL_FROM", "Relais <formations@relais.example>", doc="Expéditeur des e-mails"
    )
    smtp_host: str = _setting("SMTP_HOST", "", doc="Serveur SMTP (vide : dossier instance/outbox)")
    smtp_port: int = _setting("SMTP_PORT", 587, int, doc="Port SMTP")
    smtp_security: str = _setting("SMTP_SECURITY", "starttls", doc="starttls, ssl ou none")
    smtp_username: str = _setting("SMTP_USERNAME", "", doc="Identifiant SMTP")
    smtp_password: str = _setting("SMTP_PASSWORD", "", doc="Mot de passe SMTP")
    signup_rate_limit: str = _setting(
        "SIGNUP_RATE_LIMIT",
        "5 per hour;20 per day",
        doc="Inscriptions, par adresse IP et par e-mail",
    )
    portal_proof_rate_limit: str = _setting(
        "PORTAL_PROOF_RATE_LIMIT",
        "10 per hour;30 per day",
        doc="Vérifications d'un compte technique auprès du portail, par adresse IP et par SIRET",
    )
    signup_min_seconds: float = _setting(
        "SIGNUP_MIN_SECONDS", 3.0, float, doc="Durée minimale de remplissage d'un formulaire (s)"
    )
    account_rate_limit: str = _setting(
        "ACCOUNT_RATE_LIMIT",
        "5 per hour;20 per day",
        doc="Créations de compte et demandes de réinitialisation, par adresse IP et par e-mail",
    )
    account_link_rate_limit: str = _setting(
        "ACCOUNT_LINK_RATE_LIMIT",
        "10 per minute;50 per hour",
        doc="Ouvertures de liens de compte reçus par e-mail, par adresse IP",
    )
    password_check_rate_limit: str = _setting(
        "PASSWORD_CHECK_RATE_LIMIT",
        "30 per minute;300 per hour",
        doc="Avis sur un mot de passe en cours de saisie, par adresse IP",
    )
    account_confirm_hours: float = _setting(
        "ACCOUNT_CONFIRM_HOURS", 48.0, float, doc="Validité du lien de création de compte (h)"
    )
    password_reset_minutes: float = _setting(
        "PASSWORD_RESET_MINUTES", 60.0, float, doc="Validité du lien de réinitialisation (min)"
    )
    email_change_hours: float = _setting(
        "EMAIL_CHANGE_HOURS", 24.0, float, doc="Validité du lien de changement d'adresse (h)"
    )
    invitation_hours: float = _setting(
        "INVITATION_HOURS",
        168.0,
        float,
        doc="Validité d'une invitation à rejoindre une structure (h)",
    )
    invitation_rate_limit: str = _setting(
        "INVITATION_RATE_LIMIT",
        "20 per hour;100 per day",
        doc="Invitations envoyées, par adresse IP et par structure",
    )
    password_min_length: int = _setting(
        "PASSWORD_MIN_LENGTH", 10, int, doc="Longueur minimale d'un mot de passe"
    )
    password_min_score: int = _setting(
        "PASSWORD_MIN_SCORE", 3, int, doc="Robustesse minimale d'un mot de passe (zxcvbn, 0 à 4)"
    )
    two_factor_max_failures: int = _setting(
        "TWO_FACTOR_MAX_FAILURES", 5, int,
        doc="Codes de double authentification faux avant blocage de la connexion",
    )  # fmt: skip
    two_factor_lockout_minutes: int = _setting(
        "TWO_FACTOR_LOCKOUT_MINUTES", 15, int,
        doc="Durée du blocage après trop de codes faux (minutes)",
    )  # fmt: skip
    registration_confirm_hours: float = _setting(
        "REGISTRATION_CONFIRM_HOURS", 24.0, float, doc="Délai de confirmation d'une inscription (h)"
    )
    waitlist_closes_hours: float = _setting(
        "WAITLIST_CLOSES_HOURS",
        24.0,
        float,
        doc="Fermeture de la liste d'attente avant la séance (h)",
    )
    reminder_hours: str = _setting("REMINDER_HOURS", "24,1", doc="Rappels avant la séance (h)")
    retention_days: int = _setting(
        "RETENTION_DAYS",
        90,
        int,
        doc="Conservation des données des participants après la séance (j)",
    )
    portal_env: str = _setting(
        "PORTAL_ENV", "local", doc="Portail : local (bac à sable), qualification ou production"
    )
    portal_base_url: str = _setting(
        "PORTAL_BASE_URL", "", doc="URL du bac à sable local du portail (SANDBOX_PORT)"
    )
    portal_client_id: str = _setting("PORTAL_CLIENT_ID", "relais-sandbox", doc="Client OAuth PISTE")
    portal_client_secret: str = _setting(
        "PORTAL_CLIENT_SECRET", "relais-sandbox-secret", doc="Secret OAuth PISTE"
    )
    portal_timeout: float = _setting("PORTAL_TIMEOUT", 20.0, float, doc="Délai d'attente (s)")
    credentials_key: str = _setting(
        "CREDENTIALS_KEY", "", doc="Clé Fernet des mots de passe techniques (générée si absente)"
    )
    sync_interval_seconds: int = _setting(
        "SYNC_INTERVAL_SECONDS", 300, int, doc="Intervalle de synchronisation par défaut (s)"
    )
    sync_jitter_seconds: int = _setting(
        "SYNC_JITTER_SECONDS", 30, int, doc="Dispersion aléatoire des synchronisations (s)"
    )
    sync_poll_seconds: float = _setting(
        "SYNC_POLL_SECONDS", 5.0, float, doc="Fréquence de recherche des structures à synchroniser"
    )
    sync_concurrency: int = _setting(
        "SYNC_CONCURRENCY", 4, int, doc="Synchronisations simultanées (PostgreSQL)"
    )
    sync_workers: str = _setting(
        "SYNC_WORKERS",
        "embedded",
        doc="Qui synchronise : embedded (le planificateur) ou external (processus "
        "`relais sync-worker`, PostgreSQL)",
    )
    sync_worker_concurrency: int = _setting(
        "SYNC_WORKER_CONCURRENCY",
        8,
        int,
        doc="Synchronisations simultanées par processus `relais sync-worker`",
    )
    sync_lease_seconds: float = _setting(
        "SYNC_LEASE_SECONDS",
        120.0,
        float,
        doc="Bail d'une structure en cours de synchronisation : reprise par un autre après (s)",
    )
    sync_pages_per_turn: int = _setting(
        "SYNC_PAGES_PER_TURN",
        20,
        int,
        doc="Pages de recherche lues par tour ; la suite au tour suivant (0 : sans limite)",
    )
    portal_rate_limit: float = _setting(
        "PORTAL_RATE_LIMIT",
        0.0,
        float,
        doc="Appels par seconde au portail, pour tous les processus ensemble (0 : sans limite)",
    )
    portal_rate_burst: int = _setting(
        "PORTAL_RATE_BURST", 5, int, doc="Appels au portail permis d'un coup au-delà du débit"
    )
    portal_circuit_seconds: float = _setting(
        "PORTAL_CIRCUIT_SECONDS",
        60.0,
        float,
        doc="Pause de tous les appels quand le portail ne répond plus (s)",
    )
    sandbox_port: int = _setting("SANDBOX_PORT", 8790, int, doc="Port du bac à sable de `make run`")
    push_transport: str = _setting(
        "PUSH_TRANSPORT", "log", doc="Transport des notifications : log ou firebase"
    )
    push_outbox: str = _setting(
        "PUSH_OUTBOX", "", doc="Fichier JSONL des notifications du transport log (instance/)"
    )
    google_application_credentials: str = _setting(
        "GOOGLE_APPLICATION_CREDENTIALS", "", doc="Compte de service Firebase (JSON)"
    )
    firebase_project_id: str = _setting("FIREBASE_PROJECT_ID", "", doc="Projet Firebase")
    fcm_base_url: str = _setting("FCM_BASE_URL", "", doc="Serveur FCM de test (boucle locale)")
    firebase_web_config: str = _setting(
        "FIREBASE_WEB_CONFIG", "", doc="Configuration web Firebase et clé VAPID (JSON)"
    )
    push_max_age_hours: int = _setting(
        "PUSH_MAX_AGE_HOURS", 24, int, doc="Un changement plus ancien n'est pas notifié (h)"
    )
    push_lease_seconds: float = _setting(
        "PUSH_LEASE_SECONDS", 60.0, float, doc="Bail d'un envoi réclamé par un répartiteur (s)"
    )
    payment_reminder_days: int = _setting(
        "PAYMENT_REMINDER_DAYS", 5, int, doc="Rappel avant la date limite de paiement (j)"
    )
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build a Config from environment variables, then apply overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            env = f.metadata.get("env")
            if env and env in environ and environ[env] != "":
                values[f.name] = f.metadata["coerce"](environ[env])
        values.update(overrides)
        return cls(**values).resolved()

    def resolved(self) -> Config:
        """Fill the embedded defaults that live in the instance folder."""
        instance = Path(self.instance_path)
        instance.mkdir(parents=True, exist_ok=True)
        if self.response_cache is None:
            # Test databases are emptied between tests: their data versions start again at 0.
            self.response_cache = not self.testing
        if self.auth_cache is None:
            # Test databases are emptied between tests (TRUNCATE fires no trigger).
            self.auth_cache = not self.testing
        if not self.database_url:
            self.database_url = f"sqlite:///{instance / 'relais.db'}"
        if self.database_url.startswith(("postgres://", "postgresql://")):
            # psycopg 3 is the driver we ship.
            self.database_url = "postgresql+psycopg://" + self.database_url.split("://", 1)[1]
        if not self.secret_key:
            self.secret_key = _instance_secret(instance / "secret_key")
        if not self.public_base_url:
            # Links in e-mails must reach this server, on whichever port it listens.
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            host = f"[{host}]" if ":" in host else host
            self.public_base_url = f"http://{host}:{self.port}"
        if not self.portal_base_url:
            # The sandbox that `make run` starts, wherever SANDBOX_PORT puts it.
            self.portal_base_url = f"http://127.0.0.1:{self.sandbox_port}"
        if not self.push_outbox:
            self.push_outbox = str(instance / "push-outbox.jsonl")
        if not self.credentials_key:
            self.credentials_key = _instance_secret(instance / "credentials_key", _fernet_key)
        if self.firebase_web_config:
            web_push_settings(self.firebase_web_config)  # a mistake stops the start, said plainly
        return self

    @property
    def is_postgresql(self) -> bool:
        return self.database_url.startswith("postgresql")

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(variable, default, description) rows for the README table."""
        rows = []
        for f in fields(cls):
            if f.metadata.get("env"):
                rows.append((f.metadata["env"], str(f.default), f.metadata["doc"]))
        return rows


# What the web app needs of FIREBASE_WEB_CONFIG: the Firebase web app's config and a VAPID key.
WEB_PUSH_KEYS = ("apiKey", "projectId", "messagingSenderId", "appId", "vapidKey")
WEB_PUSH_OPTIONAL = ("authDomain", "storageBucket", "measurementId")


def web_push_settings(raw: str) -> dict[str, str]:
    """FIREBASE_WEB_CONFIG read: the known keys, each a non-empty string; ValueError otherwise."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"FIREBASE_WEB_CONFIG is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("FIREBASE_WEB_CONFIG must be a JSON object")
    missing = [
        key for key in WEB_PUSH_KEYS if not isinstance(value.get(key), str) or not value[key]
    ]
    if missing:
        raise ValueError(f"FIREBASE_WEB_CONFIG lacks {', '.join(missing)}")
    return {
        k: value[k] for k in (*WEB_PUSH_KEYS, *WEB_PUSH_OPTIONAL) if isinstance(value.get(k), str)
    }


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _instance_secret(
    path: Path, make: Callable[[], str] = lambda: secrets.token_urlsafe(48)
) -> str:
    """Return the secret kept in the instance folder, creating it once."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.touch(mode=0o600)
    path.write_text(value)
    return value
