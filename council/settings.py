"""Settings, read once from COUNCIL_* environment variables inside create_app."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from council.i18n import gettext as _

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development"}
LANGUAGES = ("en", "es", "fr")


class SettingsError(RuntimeError):
    """The environment does not describe a usable deployment."""


@dataclass(frozen=True)
class OidcProvider:
    """An organisation's OpenID Connect provider, found through discovery from its issuer."""

    name: str
    display_name: str
    issuer: str
    client_id: str
    client_secret: str = ""
    allowed_domains: tuple[str, ...] = ()

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    audit_key: str = ""
    """Signs the audit log's checkpoints (council.audit); blank: derived from secret_key."""
    environment: str = "development"
    var_dir: Path = PROJECT_ROOT / "var"
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = "en"
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20 * 1024 * 1024
    """The largest file a form may carry (a document of the library: workspaces.documents).
    A form with a file may be up to twice that with its fields: a file over the limit comes
    back refused with the form filled in; a larger body is cut off with the plain 413 page."""
    sign_in_window_minutes: int = 15
    sign_in_max_per_account: int = 5
    """Failed sign-ins for one account from one address, within the window."""
    sign_in_max_per_address: int = 30
    """Failed sign-ins from one address, whatever the account."""
    sign_in_max_per_account_anywhere: int = 20
    """Failed sign-ins for one account from every address together. Past it, only addresses
    that failed for the account are refused: its owner still signs in from another device."""
    trusted_proxies: tuple[str, ...] = field(default=("127.0.0.1",))
    oidc_providers: tuple[OidcProvider, ...] = ()
    local_sign_in: bool = True
    base_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "council@localhost"
    smtp_starttls: bool = True
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout: float = 10
    max_requests: int = 0
    """Requests at work at once in one process; 0: two fewer than the pool's connections (the
    worker and the bookkeeping flush keep one each)."""
    queue_seconds: float = 10
    worker_in_serve: bool = True
    bookkeeping_seconds: float = 5
    max_subscribers: int = 2000
    """Live pages (event streams) one process holds at once; past it they get a 503."""
    live_stream_seconds: int = 600
    """An event stream ends after this long and the browser reconnects at once, so that a
    person who lost their rights (or their session) stops being told of changes."""
    live_heartbeat_seconds: float = 15
    reader_copies: bool = True
    """Keep members' pages and their powers and give them again while nothing was written
    (council.web.reader_copy, council.permissions.reading_actor). Off, every answer is made
    as after an act: the benchmark's "made afresh" rows."""
    check_fragments: bool = False
    """Render every cached page fragment and every kept public page again and compare it with
    the copy (council.web cached_fragment and public_page; council.public then leaves a
    page's copies to its handler): the test suite's proof that each key (a fragment's facts,
    a page's ETag) names all it shows."""
    chair_statement_days: int = 14
    """How long after a round closes its chair may still give (or complete) the chair's
    statement, once (workspaces.rounds.add_chair_statement)."""

    @property
    def requests_at_once(self) -> int:
        return self.max_requests or max(1, self.db_pool_size + self.db_max_overflow - 2)

    @property
    def pool(self) -> dict:
        return {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
        }

    @property
    def upload_body_bytes(self) -> int:
        """The largest body of a form with a file (see max_upload_bytes)."""
        return 2 * self.max_upload_bytes + self.max_body_bytes

    @property
    def documents_dir(self) -> Path:
        """Where the library's files are kept, named by their SHA-256 digest."""
        return self.var_dir / "documents"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        environment = env.get("COUNCIL_ENV", "development")
        var_dir = Path(env.get("COUNCIL_VAR_DIR", PROJECT_ROOT / "var"))
        database_url = env.get("COUNCIL_DATABASE_URL") or f"sqlite:///{var_dir / 'council.db'}"
        secret_key = env.get("COUNCIL_SECRET_KEY", "")
        if secret_key.strip().lower() in PLACEHOLDER_SECRETS:
            if environment == "production":
                raise SettingsError(_("COUNCIL_SECRET_KEY must be set to a long random value."))
            secret_key = _development_secret(var_dir)
        elif environment == "production" and len(secret_key) < 32:
            raise SettingsError(
                _("COUNCIL_SECRET_KEY must be at least %(limit)s characters.", limit=32)
            )
        audit_key = env.get("COUNCIL_AUDIT_KEY", "")
        if audit_key and environment == "production" and len(audit_key) < 32:
            raise SettingsError(
                _("COUNCIL_AUDIT_KEY must be at least %(limit)s characters.", limit=32)
            )
        proxies = env.get("COUNCIL_TRUSTED_PROXIES", "127.0.0.1")
        providers = parse_oidc_providers(
            env.get("COUNCIL_OIDC_PROVIDERS", ""), production=environment == "production"
        )
        local_sign_in = _flag(env, "COUNCIL_LOCAL_SIGN_IN", True)
        if not local_sign_in and not providers:
            raise SettingsError(
                _(
                    "COUNCIL_LOCAL_SIGN_IN is off but COUNCIL_OIDC_PROVIDERS names "
                    "no provider: nobody could sign in."
                )
            )
        base_url = env.get("COUNCIL_BASE_URL", "").strip().rstrip("/")
        if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
            raise SettingsError(
                _("COUNCIL_BASE_URL must be an http(s) URL, e.g. https://council.example.org")
            )
        if environment == "production" and not base_url.startswith("https://"):
            raise SettingsError(
                _(
                    "COUNCIL_BASE_URL must be set to the public https address: "
                    "links in emails are built from it, never from request "
                    "headers."
                )
            )
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            audit_key=audit_key,
            environment=environment,
            var_dir=var_dir,
            session_idle_minutes=int(env.get("COUNCIL_SESSION_IDLE_MINUTES", 120)),
            session_absolute_hours=int(env.get("COUNCIL_SESSION_ABSOLUTE_HOURS", 24)),
            trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
            oidc_providers=providers,
            local_sign_in=local_sign_in,
            base_url=base_url,
            smtp_host=env.get("COUNCIL_SMTP_HOST", "").strip(),
            smtp_port=int(env.get("COUNCIL_SMTP_PORT", 587)),
            smtp_user=env.get("COUNCIL_SMTP_USER", ""),
            smtp_password=env.get("COUNCIL_SMTP_PASSWORD", ""),
            smtp_from=env.get("COUNCIL_SMTP_FROM", "") or "council@localhost",
            smtp_starttls=_flag(env, "COUNCIL_SMTP_STARTTLS", True),
            db_pool_size=_number(env, "COUNCIL_DB_POOL_SIZE", 5, minimum=1),
            db_max_overflow=_number(env, "COUNCIL_DB_MAX_OVERFLOW", 10, minimum=0),
            db_pool_timeout=_number(env, "COUNCIL_DB_POOL_TIMEOUT", 10, minimum=1),
            max_requests=_number(env, "COUNCIL_MAX_REQUESTS", 0, minimum=0),
            queue_seconds=_number(env, "COUNCIL_QUEUE_SECONDS", 10, minimum=0),
            worker_in_serve=_flag(env, "COUNCIL_WORKER_IN_SERVE", True),
            bookkeeping_seconds=_number(env, "COUNCIL_BOOKKEEPING_SECONDS", 5, minimum=1),
            max_subscribers=_number(env, "COUNCIL_MAX_SUBSCRIBERS", 2000, minimum=0),
            live_stream_seconds=_number(env, "COUNCIL_LIVE_STREAM_SECONDS", 600, minimum=5),
            live_heartbeat_seconds=_number(env, "COUNCIL_LIVE_HEARTBEAT_SECONDS", 15, minimum=1),
            check_fragments=_flag(env, "COUNCIL_CHECK_FRAGMENTS", False),
            reader_copies=_flag(env, "COUNCIL_READER_COPIES", True),
            chair_statement_days=_number(env, "COUNCIL_CHAIR_STATEMENT_DAYS", 14, minimum=1),
            max_upload_bytes=_number(env, "COUNCIL_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024,
        )


def _number(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise SettingsError(
            _(
                "%(name)s must be a whole number of at least %(minimum)s, not %(value)s.",
                name=name,
                minimum=minimum,
                value=repr(value),
            )
        )
    return int(value)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(
        _("%(name)s must be true or false, not %(value)s.", name=name, value=repr(value))
    )


PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def parse_oidc_providers(text: str, *, production: bool = False) -> tuple[OidcProvider, ...]:
    """COUNCIL_OIDC_PROVIDERS: a JSON list of {name, display_name, issuer, client_id,
    client_secret, allowed_domains}; refused with a message that says what to fix."""
    if not text.strip():
        return ()
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise SettingsError(
            _("COUNCIL_OIDC_PROVIDERS is not valid JSON: %(error)s", error=error)
        ) from error
    if not isinstance(entries, list):
        raise SettingsError(_("COUNCIL_OIDC_PROVIDERS must be a JSON list of providers."))
    providers: list[OidcProvider] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise SettingsError(
                _("COUNCIL_OIDC_PROVIDERS entry %(number)s must be a JSON object.", number=number)
            )
        unknown = set(entry) - {
            "name",
            "display_name",
            "issuer",
            "client_id",
            "client_secret",
            "allowed_domains",
        }
        if unknown:
            raise SettingsError(
                _(
                    "COUNCIL_OIDC_PROVIDERS entry %(number)s has unknown keys: %(keys)s.",
                    number=number,
                    keys=", ".join(sorted(unknown)),
                )
            )
        name = str(entry.get("name", ""))
        if not PROVIDER_NAME.match(name):
            raise SettingsError(
                _(
                    "COUNCIL_OIDC_PROVIDERS entry %(number)s: the name must be "
                    "lowercase letters, digits and hyphens.",
                    number=number,
                )
            )
        if any(p.name == name for p in providers):
            raise SettingsError(
                _(
                    "COUNCIL_OIDC_PROVIDERS entry %(number)s: the name %(name)s is used twice.",
                    number=number,
                    name=repr(name),
                )
            )
        issuer = str(entry.get("issuer", "")).strip()  # exactly as the provider spells it
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", issuer):
            raise SettingsError(
                _(
                    "COUNCIL_OIDC_PROVIDERS entry %(number)s: the issuer must be "
                    "the provider's http(s) URL.",
                    number=number,
                )
            )
        if production and not issuer.startswith("https://"):
            raise SettingsError(
                _(
                    "COUNCIL_OIDC_PROVIDERS entry %(number)s: in production the "
                    "issuer must use https.",
                    number=number,
                )
            )
        client_id = str(entry.get("client_id", ""))
        if not client_id:
            raise SettingsError(
                _("COUNCIL_OIDC_PROVIDERS entry %(number)s: client_id is required.", number=number)
            )
        domains = entry.get("allowed_domains") or []
        if isinstance(domains, str):
            domains = [domains]
        providers.append(
            OidcProvider(
                name=name,
                display_name=str(entry.get("display_name") or name),
                issuer=issuer,
                client_id=client_id,
                client_secret=str(entry.get("client_secret", "")),
                allowed_domains=tuple(str(d).strip().lower().lstrip("@") for d in domains if d),
            )
        )
    return tuple(providers)


def _development_secret(var_dir: Path) -> str:
    """Generate the development secret once and keep it under var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the owner's only, like its files
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
