"""Settings come from COUNCIL_* variables once; a deployment without a real secret is refused."""

from __future__ import annotations

import stat

import pytest

from council.settings import Settings, SettingsError

LONG_SECRET = "k" * 48


@pytest.mark.parametrize("secret", [None, "", "change-me", "CHANGEME", " secret ", "dev"])
def test_production_refuses_a_missing_or_placeholder_secret(tmp_path, secret):
    env = {
        "COUNCIL_ENV": "production",
        "COUNCIL_VAR_DIR": str(tmp_path),
        "COUNCIL_BASE_URL": "https://council.example.org",
    }
    if secret is not None:
        env["COUNCIL_SECRET_KEY"] = secret
    with pytest.raises(SettingsError, match="COUNCIL_SECRET_KEY"):
        Settings.from_env(env)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_short_secret(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env(
            {
                "COUNCIL_ENV": "production",
                "COUNCIL_SECRET_KEY": "s" * 31,
                "COUNCIL_VAR_DIR": str(tmp_path),
                "COUNCIL_BASE_URL": "https://council.example.org",
            }
        )


def test_production_takes_a_real_secret(tmp_path):
    settings = Settings.from_env(
        {
            "COUNCIL_ENV": "production",
            "COUNCIL_SECRET_KEY": LONG_SECRET,
            "COUNCIL_VAR_DIR": str(tmp_path),
            "COUNCIL_BASE_URL": "https://council.example.org",
        }
    )
    assert settings.secret_key == LONG_SECRET
    assert settings.is_production


def test_development_generates_a_secret_once_and_reuses_it(tmp_path):
    env = {"COUNCIL_VAR_DIR": str(tmp_path / "var")}
    first = Settings.from_env(env)
    path = tmp_path / "var" / "secret_key"
    assert path.read_text() == first.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings.from_env(env).secret_key == first.secret_key
    assert Settings.from_env({**env, "COUNCIL_SECRET_KEY": "change-me"}).secret_key == (
        first.secret_key
    )
    other = Settings.from_env({"COUNCIL_VAR_DIR": str(tmp_path / "elsewhere")})
    assert other.secret_key != first.secret_key


def test_development_uses_a_given_secret(tmp_path):
    settings = Settings.from_env({"COUNCIL_VAR_DIR": str(tmp_path), "COUNCIL_SECRET_KEY": "mine"})
    assert settings.secret_key == "mine"
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_a_sqlite_file_in_the_var_dir(tmp_path):
    settings = Settings.from_env({"COUNCIL_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'council.db'}"
    assert settings.var_dir == tmp_path
    assert settings.environment == "development"


def test_values_come_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "COUNCIL_VAR_DIR": str(tmp_path),
            "COUNCIL_DATABASE_URL": "postgresql+psycopg://council@db/council",
            "COUNCIL_SESSION_IDLE_MINUTES": "30",
            "COUNCIL_SESSION_ABSOLUTE_HOURS": "8",
            "COUNCIL_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2,",
        }
    )
    assert settings.database_url == "postgresql+psycopg://council@db/council"
    assert (settings.session_idle_minutes, settings.session_absolute_hours) == (30, 8)
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert settings.languages == ("en", "es", "fr")


def test_settings_are_read_from_the_process_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNCIL_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("COUNCIL_DATABASE_URL", raising=False)
    assert Settings.from_env().database_url == f"sqlite:///{tmp_path / 'council.db'}"
