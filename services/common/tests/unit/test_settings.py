"""Settings: secrets have no default, a missing one is named, production refuses weak ones."""

from __future__ import annotations

from typing import ClassVar

import pytest

from osool_common.settings import CommonSettings, ConfigurationError

STRONG_DB = "postgresql://osool:Xq7vR2mZpL9wK4tN8sB1@db:5432/osool"
STRONG_REDIS = "redis://:Jf8dK2nQ5wZ7xR3vL6pT@redis:6379/0"
STRONG_SERVICE_KEY = "c2VydmljZS1rZXktZm9yLXRlc3Rz"


class ExampleSettings(CommonSettings):
    service_name: ClassVar[str] = "example"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "OSOOL_ENV", "OSOOL_ENV_FILE", "SENTRY_DSN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OSOOL_SERVICE_KEY", STRONG_SERVICE_KEY)


def test_missing_service_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OSOOL_SERVICE_KEY")
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    with pytest.raises(ConfigurationError, match="OSOOL_SERVICE_KEY is not set"):
        ExampleSettings.load()


def test_production_refuses_a_short_service_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    monkeypatch.setenv("OSOOL_SERVICE_KEY", "short")
    with pytest.raises(ConfigurationError, match="OSOOL_SERVICE_KEY has a weak secret"):
        ExampleSettings.load()


def test_missing_database_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    with pytest.raises(ConfigurationError, match="DATABASE_URL is not set"):
        ExampleSettings.load()


def test_missing_redis_url_is_named_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    with pytest.raises(ConfigurationError, match="REDIS_URL is not set"):
        ExampleSettings.load()


def test_production_refuses_a_short_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://osool:short@db:5432/osool")
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    with pytest.raises(ConfigurationError, match="DATABASE_URL has a weak secret"):
        ExampleSettings.load()


def test_production_refuses_a_redis_url_without_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    with pytest.raises(ConfigurationError, match=r"REDIS_URL has a weak secret \(the URL has no password"):
        ExampleSettings.load()


def test_production_accepts_strong_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    settings = ExampleSettings.load()
    assert settings.osool_env == "production"
    assert settings.database_url is not None and settings.database_url.get_secret_value() == STRONG_DB


def test_development_accepts_a_passwordless_local_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://osool@127.0.0.1/osool")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert ExampleSettings.load().osool_env == "development"


def test_env_file_is_read_when_named(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    env_file = tmp_path / "local.env"  # type: ignore[operator]
    env_file.write_text(f"DATABASE_URL={STRONG_DB}\nREDIS_URL={STRONG_REDIS}\nUPSTREAM_SERVICES=search, auth\n")
    monkeypatch.setenv("OSOOL_ENV_FILE", str(env_file))
    settings = ExampleSettings.load()
    assert settings.upstreams == ["search", "auth"]


def test_secrets_never_show_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    text = repr(ExampleSettings.load())
    assert "Xq7vR2mZpL9wK4tN8sB1" not in text and "Jf8dK2nQ5wZ7xR3vL6pT" not in text


def test_schema_name_follows_the_service_name() -> None:
    class ChatHistorySettings(CommonSettings):
        service_name: ClassVar[str] = "chat-history"
        required_secrets: ClassVar[tuple[str, ...]] = ()

    assert ChatHistorySettings().schema_name == "chat_history"
