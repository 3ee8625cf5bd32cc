"""Settings: one object built from the environment and ``.env``, read only by the composition root.

Each section is a small pydantic-settings class whose fields map to the documented variable
names (``TELEGRAM_BOT_TOKEN``, ``DATABASE_URL``, ...). ``load_settings`` turns any validation
failure into one ``ConfigError`` line naming the variable, so the CLI can exit with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE = ".env"
KNOWN_PROVIDERS = ("gemini", "openai", "anthropic", "ollama", "offline")


class ConfigError(Exception):
    """Configuration that cannot work; the message is one line naming the variable."""


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class _Section(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )
    env_prefix: ClassVar[str] = ""


class TelegramSettings(_Section):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_")
    env_prefix: ClassVar[str] = "TELEGRAM_"

    bot_token: SecretStr | None = None
    api_url: str | None = None

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("must be an http:// or https:// URL")
        return value or None


class StorageSettings(_Section):
    database_url: str = "sqlite:///data/innertalk.db"
    redis_url: str | None = None
    auto_migrate: bool = True

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        if scheme == "sqlite":
            if not value.startswith("sqlite:///") or value == "sqlite:///":
                raise ValueError(
                    "SQLite URLs look like sqlite:///relative/path.db or sqlite:////abs/path.db"
                )
            return value
        if scheme in ("mongodb", "mongodb+srv"):
            raise ValueError(
                "MongoDB is not available in this version yet; use sqlite:///data/innertalk.db"
            )
        raise ValueError(f"unsupported scheme {scheme or '(none)'!r}; expected sqlite:///...")

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file the URL names (relative to the working directory)."""
        return Path(self.database_url.removeprefix("sqlite:///"))


class LLMSettings(_Section):
    gemini_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    llm_providers: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("llm_providers", mode="before")
    @classmethod
    def _providers(cls, value: Any) -> Any:
        names = [name.lower() for name in _split_csv(value)]
        unknown = [name for name in names if name not in KNOWN_PROVIDERS]
        if unknown:
            raise ValueError(
                f"unknown provider {unknown[0]!r}; known: {', '.join(KNOWN_PROVIDERS)}"
            )
        return names

    def configured_keys(self) -> list[str]:
        """Names of providers whose API key is set."""
        keys = {
            "gemini": self.gemini_api_key,
            "openai": self.openai_api_key,
            "anthropic": self.anthropic_api_key,
        }
        return [name for name, key in keys.items() if key and key.get_secret_value()]


class TalkSettings(_Section):
    context_turns: int = Field(default=20, ge=2, le=500)
    history_token_budget: int = Field(default=3000, ge=200, le=200_000)
    reply_max_tokens: int = Field(default=800, ge=50, le=16_000)
    summary_max_turns: int = Field(default=200, ge=2, le=5_000)
    session_token_budget: int = Field(default=10_000, ge=0)
    sessions_per_day: int = Field(default=3, ge=0)
    session_idle_minutes: int = Field(default=120, ge=1)
    rate_limit: str = "20/minute"

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("expected a rate like 20/minute or 5/second") from None
        return value


class AdminSettings(_Section):
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return _split_csv(value)


class SecuritySettings(_Section):
    encryption_key: SecretStr | None = None


class HttpSettings(_Section):
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value and urlsplit(value).scheme != "https":
            raise ValueError("Telegram only delivers webhooks to https:// URLs")
        return value or None


class LogSettings(_Section):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] = "console"
    log_file: Path | None = None
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    log_backups: int = Field(default=5, ge=0, le=100)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Settings(BaseModel):
    """All settings, by section."""

    model_config = ConfigDict(frozen=True)

    telegram: TelegramSettings
    storage: StorageSettings
    llm: LLMSettings
    talk: TalkSettings
    admin: AdminSettings
    security: SecuritySettings
    http: HttpSettings
    log: LogSettings


_SECTIONS: dict[str, type[_Section]] = {
    "telegram": TelegramSettings,
    "storage": StorageSettings,
    "llm": LLMSettings,
    "talk": TalkSettings,
    "admin": AdminSettings,
    "security": SecuritySettings,
    "http": HttpSettings,
    "log": LogSettings,
}


def _describe(section: type[_Section], error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    field = str(first["loc"][0]) if first["loc"] else "?"
    variable = f"{section.env_prefix}{field}".upper()
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{variable}: {message}"


def load_settings(env_file: str | Path | None = ENV_FILE) -> Settings:
    """Settings from the environment and ``env_file``; ``ConfigError`` names a bad variable."""
    sections: dict[str, _Section] = {}
    for name, section in _SECTIONS.items():
        try:
            sections[name] = section(_env_file=env_file)
        except ValidationError as error:
            raise ConfigError(_describe(section, error)) from None
    return Settings.model_validate(sections)
