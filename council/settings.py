"""Settings, read once from COUNCIL_* environment variables inside create_app."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development"}
LANGUAGES = ("en", "es", "fr")


class SettingsError(RuntimeError):
    """The environment does not describe a usable deployment."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    environment: str = "development"
    var_dir: Path = PROJECT_ROOT / "var"
    languages: tuple[str, ...] = LANGUAGES
    default_language: str = "en"
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24
    max_body_bytes: int = 1_000_000
    sign_in_window_minutes: int = 15
    sign_in_max_per_account: int = 5
    sign_in_max_per_address: int = 30
    trusted_proxies: tuple[str, ...] = field(default=("127.0.0.1",))

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
                raise SettingsError("COUNCIL_SECRET_KEY must be set to a long random value.")
            secret_key = _development_secret(var_dir)
        elif environment == "production" and len(secret_key) < 32:
            raise SettingsError("COUNCIL_SECRET_KEY must be at least 32 characters.")
        proxies = env.get("COUNCIL_TRUSTED_PROXIES", "127.0.0.1")
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            environment=environment,
            var_dir=var_dir,
            session_idle_minutes=int(env.get("COUNCIL_SESSION_IDLE_MINUTES", 120)),
            session_absolute_hours=int(env.get("COUNCIL_SESSION_ABSOLUTE_HOURS", 24)),
            trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
        )


def _development_secret(var_dir: Path) -> str:
    """Generate the development secret once and keep it under var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
