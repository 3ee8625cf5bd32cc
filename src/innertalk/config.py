"""Settings: one object built from the environment and ``.env``, read only by the composition root.

Each section is a small pydantic-settings class whose fields map to the documented variable
names (``TELEGRAM_BOT_TOKEN``, ``DATABASE_URL``, ...); each model provider's variables are the
ones its row in ``infrastructure/llm/registry.py`` names. ``load_settings`` turns any validation
failure into one ``ConfigError`` line naming the variable, so the CLI can exit with code 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from innertalk.domain.experiments import Experiment, parse_experiment
from innertalk.infrastructure.llm.registry import PROVIDERS, ProviderKind, ProviderSpec

ENV_FILE = ".env"
OFFLINE = "offline"
"""The offline responder's name: always the chain's end; ``LLM_PROVIDERS`` may list it."""


# Functions, not constants: the names are read from the registry when settings are loaded.
def model_providers() -> tuple[str, ...]:
    """Every row of the provider registry (``infrastructure/llm/registry.py``), in order."""
    return tuple(PROVIDERS)


def known_providers() -> tuple[str, ...]:
    """Names ``LLM_PROVIDERS`` accepts: the registry's rows, and offline."""
    return (*PROVIDERS, OFFLINE)


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


MONGODB_DEFAULT_DATABASE = "innertalk"
_MONGODB_NAME_FORBIDDEN = set('/\\. "$\x00')


def _check_mongodb_url(value: str) -> None:
    """A host and at most one valid database name; PyMongo checks the options at start-up."""
    parts = urlsplit(value)
    hosts = parts.netloc.rpartition("@")[2]
    if not hosts:
        raise ValueError("MongoDB URLs look like mongodb://host:27017/innertalk")
    name = parts.path.strip("/")
    if _MONGODB_NAME_FORBIDDEN & set(name) or len(name.encode()) > 63:
        raise ValueError(
            "the MongoDB database name (the URL's path) must be under 64 bytes without "
            'any of / \\ . " $ or spaces'
        )


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
            _check_mongodb_url(value)
            return value
        raise ValueError(
            f"unsupported scheme {scheme or '(none)'!r}; expected sqlite:///... or mongodb://..."
        )

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

    @property
    def backend(self) -> Literal["sqlite", "mongodb"]:
        """Which storage adapter the URL names."""
        return "sqlite" if self.database_url.startswith("sqlite:") else "mongodb"

    @property
    def data_dir(self) -> Path:
        """Where local state files live: the SQLite database's folder, else ``./data``."""
        return self.sqlite_path.parent if self.backend == "sqlite" else Path("data")

    @property
    def mongodb_database(self) -> str:
        """The database a ``mongodb://`` URL names in its path; ``innertalk`` when none."""
        return urlsplit(self.database_url).path.strip("/") or MONGODB_DEFAULT_DATABASE

    @property
    def database_label(self) -> str:
        """``DATABASE_URL`` fit to print: a password in it is replaced by ``***``."""
        parts = urlsplit(self.database_url)
        userinfo, at, hosts = parts.netloc.rpartition("@")
        if not at or ":" not in userinfo:
            return self.database_url
        user = userinfo.partition(":")[0]
        return parts._replace(netloc=f"{user}:***@{hosts}").geturl()


class LLMSettings(_Section):
    """The router's ``LLM_*`` knobs; each provider's own variables are in ``ProviderSettings``."""

    llm_providers: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # The router: timeouts in seconds, retries, breakers, experiments.
    llm_connect_timeout: float = Field(default=5.0, gt=0, le=120)
    llm_first_token_timeout: float = Field(default=15.0, gt=0, le=600)
    llm_total_timeout: float = Field(default=60.0, gt=0, le=3600)
    llm_hedge_after: float = Field(default=4.0, ge=0, le=600)
    llm_max_rounds: int = Field(default=2, ge=1, le=10)
    llm_backoff_max: float = Field(default=2.0, ge=0, le=600)
    llm_breakers: Annotated[dict[str, tuple[int, float]], NoDecode] = Field(default_factory=dict)
    llm_auth_cooldown: float = Field(default=600.0, ge=0)
    llm_experiment: str = ""
    # US dollars per million tokens (input/cached input/output) over the built-in table.
    llm_prices: Annotated[dict[str, tuple[float, float, float]], NoDecode] = Field(
        default_factory=dict
    )

    @field_validator("llm_providers", mode="before")
    @classmethod
    def _providers(cls, value: Any) -> Any:
        names = [name.lower() for name in _split_csv(value)]
        known = known_providers()
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(f"unknown provider {unknown[0]!r}; known: {', '.join(known)}")
        return names

    @field_validator("llm_breakers", mode="before")
    @classmethod
    def _breakers(cls, value: Any) -> Any:
        return _parse_breakers(value) if isinstance(value, str) else value

    @field_validator("llm_prices", mode="before")
    @classmethod
    def _prices(cls, value: Any) -> Any:
        return _parse_prices(value) if isinstance(value, str) else value

    @field_validator("llm_experiment")
    @classmethod
    def _experiment(cls, value: str) -> str:
        parse_experiment(value, providers=model_providers())
        return value.strip()

    def experiment(self) -> Experiment | None:
        """The A/B experiment ``LLM_EXPERIMENT`` describes, if any."""
        return parse_experiment(self.llm_experiment)


def _parse_breakers(text: str) -> dict[str, tuple[int, float]]:
    """``gemini=3/30,openai=5/60,*=5/60`` → failures and cool-down seconds per provider."""
    breakers: dict[str, tuple[int, float]] = {}
    for item in _split_csv(text):
        name, _, rule = (part.strip() for part in item.partition("="))
        failures, _, seconds = rule.partition("/")
        name = name.lower()
        if name != "*" and name not in model_providers():
            known = ", ".join(model_providers())
            raise ValueError(f"unknown provider {name!r}; known: {known}, *")
        try:
            rule_value = (int(failures), float(seconds))
        except ValueError:
            raise ValueError(
                f"{item!r} is not provider=failures/seconds, e.g. gemini=3/30"
            ) from None
        if rule_value[0] < 1 or not 0 < rule_value[1] <= 86_400:
            raise ValueError(f"{item!r}: failures must be >= 1 and seconds in (0, 86400]")
        breakers[name] = rule_value
    return breakers


def _parse_prices(text: str) -> dict[str, tuple[float, float, float]]:
    """``openai=gpt-6-luna:0.25/0.025/2,ollama=*:0/0/0`` → prices per ``provider=model``
    (``*``: every model of the provider; a model name may itself contain colons)."""
    prices: dict[str, tuple[float, float, float]] = {}
    for item in _split_csv(text):
        name, _, rest = (part.strip() for part in item.partition("="))
        model, _, rule = rest.rpartition(":")
        name = name.lower()
        if name not in known_providers():
            known = ", ".join(known_providers())
            raise ValueError(f"unknown provider {name!r}; known: {known}")
        try:
            price = tuple(float(part) for part in rule.split("/"))
        except ValueError:
            price = ()
        if not model or len(price) != 3 or not all(0 <= p < 10_000 for p in price):
            raise ValueError(
                f"{item!r} is not provider=model:input/cached/output dollars per million "
                "tokens, e.g. openai=gpt-6-luna:0.25/0.025/2"
            )
        prices[f"{name}={'' if model == '*' else model}"] = (price[0], price[1], price[2])
    return prices


def _http_url(value: str | None) -> str | None:
    if value and urlsplit(value).scheme not in ("http", "https"):
        raise ValueError("must be an http:// or https:// URL")
    return value or None


class ProviderSettings(BaseModel):
    """One provider's settings, read from the variables its registry row names; ``None``:
    the row's default."""

    model_config = ConfigDict(frozen=True)

    api_key: SecretStr | None = None
    base_url: Annotated[str | None, AfterValidator(_http_url)] = None
    model: str | None = None
    fast_model: str | None = None

    @property
    def key(self) -> str | None:
        """The API key's text, if one is set."""
        return (self.api_key.get_secret_value() or None) if self.api_key else None


@cache
def _provider_section(spec: ProviderSpec) -> type[_Section]:
    """A settings section whose fields are ``spec``'s variables, so that reading them (the
    environment over ``.env``) and naming a bad one work as for every other section."""
    variables = spec.variables
    key_names = AliasChoices(*(name.lower() for name in variables.api_key))
    fields: dict[str, Any] = {
        variables.api_key[0].lower(): (SecretStr | None, Field(None, validation_alias=key_names)),
        variables.base_url.lower(): (Annotated[str | None, AfterValidator(_http_url)], None),
        variables.model.lower(): (str | None, None),
    }
    if variables.fast_model:
        fields[variables.fast_model.lower()] = (str | None, None)
    return create_model(f"{spec.name.title()}Settings", __base__=_Section, **fields)


def _read_provider(spec: ProviderSpec, env_file: str | Path | None) -> ProviderSettings:
    section = _provider_section(spec)
    try:
        values = section(_env_file=env_file).model_dump()
    except ValidationError as error:
        raise ConfigError(_describe(section, error)) from None
    variables = spec.variables
    return ProviderSettings(
        api_key=values[variables.api_key[0].lower()],
        base_url=values[variables.base_url.lower()],
        model=values[variables.model.lower()],
        fast_model=values[variables.fast_model.lower()] if variables.fast_model else None,
    )


class TalkSettings(_Section):
    context_turns: int = Field(default=20, ge=2, le=500)
    history_token_budget: int = Field(default=3000, ge=200, le=200_000)
    reply_max_tokens: int = Field(default=800, ge=50, le=16_000)
    summary_max_turns: int = Field(default=200, ge=2, le=5_000)
    session_token_budget: int = Field(default=10_000, ge=0)
    sessions_per_day: int = Field(default=3, ge=0)
    session_idle_minutes: int = Field(default=120, ge=1)
    rate_limit: str = "20/minute"
    user_daily_tokens: int = Field(default=0, ge=0)
    retention_days: int = Field(default=0, ge=0)

    @field_validator("rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError("expected a rate like 20/minute or 5/second") from None
        return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(value: Any) -> Any:
    """``2h``, ``90m``, ``45s``, ``1d`` or plain seconds, as a ``timedelta``."""
    if isinstance(value, timedelta | int | float):
        return value if isinstance(value, timedelta) else timedelta(seconds=value)
    text = str(value).strip().lower()
    unit = _UNITS.get(text[-1:]) if text else None
    number = text[:-1] if unit else text
    try:
        amount = float(number)
    except ValueError:
        raise ValueError("expected a duration like 2h, 90m, 45s or 1d") from None
    if amount < 0:
        raise ValueError("must not be negative")
    return timedelta(seconds=amount * (unit or 1))


class WellbeingSettings(_Section):
    mood_cooldown: timedelta = timedelta(hours=2)
    portrait_cooldown: timedelta = timedelta(hours=24)
    hotlines_file: Path | None = None
    crisis_country: str | None = None
    safety_opinion: Literal["auto", "openai", "model", "off"] = "auto"
    """Who gives a third opinion on messages the local layers are unsure about: ``openai``
    (its moderation endpoint), ``model`` (the chain's fast model), ``auto`` (``openai`` when
    ``OPENAI_API_KEY`` is set, else ``model`` when any provider is), ``off`` (all stays local)."""
    safety_opinion_timeout: float = Field(default=2.0, gt=0, le=30)
    """Seconds we wait for that opinion once the reply is ready."""
    crisis_webhook_timeout: float = Field(default=10.0, gt=0, le=60)
    """Seconds one POST to a tenant's crisis webhook may take (connect at most 5 of them)."""
    safety_encoder: Literal["on", "off"] = "on"
    """``off`` runs the learned crisis layer on its n-grams alone: less memory, a faster start,
    a lower recall (see docs/benchmarks.md)."""

    @field_validator("mood_cooldown", "portrait_cooldown", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> Any:
        return _duration(value)

    @field_validator("hotlines_file")
    @classmethod
    def _file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("safety_opinion", "safety_encoder", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("crisis_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value and (len(value.strip()) != 2 or not value.strip().isalpha()):
            raise ValueError("expected a two-letter country code such as RU, US or GB")
        return value.strip().upper() if value else None


class AdminSettings(_Section):
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return _split_csv(value)


class SecuritySettings(_Section):
    encryption_key: SecretStr | None = None
    encryption_keys_previous: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    @field_validator("encryption_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            _check_key(value.get_secret_value())
            return value
        return None

    @field_validator("encryption_keys_previous", mode="before")
    @classmethod
    def _previous(cls, value: Any) -> Any:
        keys = _split_csv(value)
        for key in keys if isinstance(keys, list) else []:
            _check_key(str(key))
        return keys

    def keys(self) -> list[bytes]:
        """The current key first, then older ones still accepted for reading."""
        from innertalk.infrastructure.crypto import parse_key

        if self.encryption_key is None:
            return []
        secrets = [self.encryption_key, *self.encryption_keys_previous]
        return [parse_key(secret.get_secret_value()) for secret in secrets]


def _check_key(text: str) -> None:
    from innertalk.infrastructure.crypto import InvalidKeyError, parse_key

    try:
        parse_key(text)
    except InvalidKeyError as error:
        raise ValueError(
            f"{error}; generate a key with `innertalk keygen` (32 random bytes, base64)"
        ) from None


_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


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

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("use 1-256 characters: letters, digits, _ and - (Telegram's rule)")
        return value


class PanelSettings(_Section):
    """The operator web panel under ``/admin`` (issue 16)."""

    panel_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    panel_session_hours: int = Field(default=12, ge=1, le=7 * 24)
    """Absolute lifetime of a sign-in, however active."""
    panel_trust_proxy: bool = False
    """Believe ``X-Forwarded-Proto``/``X-Forwarded-For`` (only behind a proxy that sets them)."""


MIN_PSEUDONYM_KEY_LENGTH = 16


class LogSettings(_Section):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["json", "console"] = "console"
    log_file: Path | None = None
    log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    log_backups: int = Field(default=5, ge=0, le=100)
    log_sdk_debug: bool = False
    """Let SDK and HTTP-client loggers log at DEBUG: request bodies and headers, i.e. what
    people write, their names and API keys. For debugging a provider on a test instance."""
    log_pseudonym_key: SecretStr | None = None
    """Keys the pseudonyms that stand for people in logs, alerts and experiments."""

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_pseudonym_key")
    @classmethod
    def _pseudonym_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_PSEUDONYM_KEY_LENGTH:
            raise ValueError(
                f"use at least {MIN_PSEUDONYM_KEY_LENGTH} random characters, "
                "e.g. the output of `innertalk keygen`"
            )
        return value


class Settings(BaseModel):
    """All settings, by section."""

    model_config = ConfigDict(frozen=True)

    telegram: TelegramSettings
    storage: StorageSettings
    llm: LLMSettings
    talk: TalkSettings
    wellbeing: WellbeingSettings
    admin: AdminSettings
    security: SecuritySettings
    http: HttpSettings
    log: LogSettings
    panel: PanelSettings = Field(default_factory=PanelSettings)
    providers: Mapping[str, ProviderSettings]
    """One entry per row of the provider registry."""

    def provider(self, name: str) -> ProviderSettings:
        """The settings of the registry row ``name``."""
        return self.providers[name]

    def keyed_providers(self) -> list[str]:
        """SDK providers whose API key is set, in the registry's order (the default chain)."""
        return [
            name
            for name, spec in PROVIDERS.items()
            if spec.kind is ProviderKind.SDK and self.providers[name].key
        ]

    @property
    def shares_lanes(self) -> bool:
        """Whether ``innertalk bot`` shares per-person lanes with other instances through Redis:
        ``REDIS_URL`` in webhook mode (``WEBHOOK_URL``). Those instances sit behind one webhook,
        so they must all give Telegram the same ``WEBHOOK_SECRET``."""
        return bool(self.storage.redis_url and self.http.webhook_url)


_SECTIONS: dict[str, type[_Section]] = {
    "telegram": TelegramSettings,
    "storage": StorageSettings,
    "llm": LLMSettings,
    "talk": TalkSettings,
    "wellbeing": WellbeingSettings,
    "admin": AdminSettings,
    "security": SecuritySettings,
    "http": HttpSettings,
    "log": LogSettings,
    "panel": PanelSettings,
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
    providers = {name: _read_provider(spec, env_file) for name, spec in PROVIDERS.items()}
    return Settings.model_validate({**sections, "providers": providers})
