"""Settings: defaults, parsing, and one clear line for every bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from innertalk.config import ConfigError, load_settings

ALL_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "GEMINI_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "LLM_PROVIDERS",
    "ADMIN_IDS",
    "ENCRYPTION_KEY",
    "HTTP_HOST",
    "HTTP_PORT",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "LOG_FILE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_configuration() -> None:
    """With nothing set, the embedded default is SQLite in ./data and no keys."""
    settings = load_settings()
    assert settings.storage.database_url == "sqlite:///data/innertalk.db"
    assert settings.storage.sqlite_path == Path("data/innertalk.db")
    assert settings.keyed_providers() == []
    assert settings.telegram.bot_token is None
    assert settings.panel.panel_session_idle_minutes == 30
    assert settings.panel.panel_session_hours == 12
    assert not settings.panel.panel_trust_proxy


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    """ADMIN_IDS and LLM_PROVIDERS accept plain comma-separated values."""
    monkeypatch.setenv("ADMIN_IDS", "12, 34")
    monkeypatch.setenv("LLM_PROVIDERS", "Gemini,openai")
    settings = load_settings()
    assert settings.admin.admin_ids == [12, 34]
    assert settings.llm.llm_providers == ["gemini", "openai"]


def test_the_env_file_is_read(tmp_path: Path) -> None:
    """Values in .env are used, and secrets stay hidden in their repr."""
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-test-123\nLOG_FORMAT=json\n")
    settings = load_settings()
    assert settings.keyed_providers() == ["openai"]
    assert settings.log.log_format == "json"
    assert "sk-test-123" not in repr(settings)


def test_the_environment_wins_over_the_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A variable set in the environment overrides the same one in .env."""
    (tmp_path / ".env").write_text("HTTP_PORT=9000\n")
    monkeypatch.setenv("HTTP_PORT", "9100")
    assert load_settings().http.http_port == 9100


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "postgres://db/x", "unsupported scheme"),
        ("DATABASE_URL", "mongodb:///innertalk", "MongoDB"),
        ("DATABASE_URL", "mongodb://localhost/inner.talk", "MongoDB"),
        ("ADMIN_IDS", "alice", "integer"),
        ("HTTP_PORT", "70000", "65535"),
        ("LOG_FORMAT", "xml", "json"),
        ("LOG_LEVEL", "LOUD", "INFO"),
        ("LLM_PROVIDERS", "gemini,skynet", "skynet"),
        ("TELEGRAM_API_URL", "localhost:8081", "http"),
        ("WEBHOOK_URL", "http://example.org/hook", "https"),
        ("REDIS_URL", "localhost:6379", "redis://"),
        ("RATE_LIMIT", "lots", "20/minute"),
        ("MOOD_COOLDOWN", "soon", "2h"),
        ("CRISIS_COUNTRY", "Russia", "two-letter"),
        ("SAFETY_ENCODER", "maybe", "'on' or 'off'"),
        ("HOTLINES_FILE", "/nonexistent/hotlines.toml", "no such file"),
        ("ENCRYPTION_KEY", "hunter2", "innertalk keygen"),
        ("ENCRYPTION_KEYS_PREVIOUS", "abc,def", "base64"),
        ("PANEL_SESSION_IDLE_MINUTES", "0", "greater than or equal to 1"),
        ("PANEL_SESSION_HOURS", "1000", "less than or equal to 168"),
        ("PANEL_TRUST_PROXY", "perhaps", "boolean"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    """Every invalid value produces one line starting with the variable's name."""
    assert_bad_value_is_named(monkeypatch, variable, value, says)


def assert_bad_value_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    """Loading settings with ``variable=value`` fails with one line: the name, then ``says``."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}: ")
    assert says in message
    assert "\n" not in message
    assert value not in message or variable != "TELEGRAM_BOT_TOKEN"


EXAMPLE = Path(__file__).parents[2] / ".env.example"


def _documented() -> set[str]:
    names = set()
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            names.add(line.split("=", 1)[0])
    return names


def test_env_example_documents_every_setting() -> None:
    """Each setting has a line in .env.example, and .env.example names no unknown setting."""
    from innertalk.config import _SECTIONS
    from innertalk.infrastructure.llm.registry import PROVIDERS

    settings = {
        f"{section.env_prefix}{field}".upper()
        for section in _SECTIONS.values()
        for field in section.model_fields
    }
    providers = {name for spec in PROVIDERS.values() for name in spec.variables.documented()}
    assert _documented() == settings | providers


def test_env_example_as_is_is_a_valid_configuration(tmp_path: Path) -> None:
    """Copying .env.example to .env without edits starts on the defaults."""
    (tmp_path / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"))
    settings = load_settings()
    assert settings.log.log_file is None
    assert settings.telegram.api_url is None
    assert settings.llm.llm_providers == []
