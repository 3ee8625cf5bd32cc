"""Language model settings: the router's knobs, breakers, experiments, one line per mistake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from innertalk.config import load_settings
from tests.integration.test_config import assert_bad_value_is_named

PREFIXES = (
    "LLM_",
    "GEMINI_",
    "GOOGLE_",
    "OPENAI_",
    "ANTHROPIC_",
    "OLLAMA_",
    "LLAMACPP_",
    "VLLM_",
    "OPENROUTER_",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_router_defaults() -> None:
    """Unset, the router gets 5/15/60 s timeouts, hedging at 4 s, 2 rounds, 10 min auth."""
    llm = load_settings().llm
    assert (llm.llm_connect_timeout, llm.llm_first_token_timeout, llm.llm_total_timeout) == (
        5.0,
        15.0,
        60.0,
    )
    assert (llm.llm_hedge_after, llm.llm_max_rounds, llm.llm_auth_cooldown) == (4.0, 2, 600.0)
    assert llm.llm_breakers == {}
    assert llm.experiment() is None


def test_breakers_parse_per_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    """LLM_BREAKERS maps providers (and * for the rest) to failures/seconds."""
    monkeypatch.setenv("LLM_BREAKERS", "Gemini=2/10, *=4/45.5")
    assert load_settings().llm.llm_breakers == {"gemini": (2, 10.0), "*": (4, 45.5)}


def test_google_api_key_is_accepted_for_gemini(monkeypatch: pytest.MonkeyPatch) -> None:
    """The google-genai SDK's own variable name works as well."""
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-test")
    settings = load_settings()
    assert settings.keyed_providers() == ["gemini"]
    assert settings.provider("gemini").key == "AIza-test"


def test_per_provider_models_and_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each provider's variables land in its own settings; unset ones are None."""
    monkeypatch.setenv("GEMINI_FAST_MODEL", "tiny")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("OLLAMA_MODEL", "llama3.1:8b")
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    settings = load_settings()
    gemini, ollama = settings.provider("gemini"), settings.provider("ollama")
    assert (gemini.fast_model, gemini.model) == ("tiny", None)
    assert gemini.base_url == "http://127.0.0.1:9000"
    assert (ollama.model, ollama.key, ollama.base_url) == ("llama3.1:8b", None, None)
    assert settings.provider("openrouter").key == "sk-or-test"
    assert settings.keyed_providers() == []  # compatible servers join only when listed


def test_every_provider_variable_of_the_seed_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 21 provider variables operators' .env files use keep their meaning."""
    for name in ("GEMINI", "OPENAI", "ANTHROPIC", "OLLAMA", "LLAMACPP", "VLLM", "OPENROUTER"):
        monkeypatch.setenv(f"{name}_API_KEY", f"key-{name}")
        monkeypatch.setenv(f"{name}_MODEL", f"model-{name}")
        monkeypatch.setenv(f"{name}_BASE_URL", f"http://{name.lower()}.test/v1")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://google.test/v1")
    for name in ("GEMINI", "OPENAI", "ANTHROPIC"):
        monkeypatch.setenv(f"{name}_FAST_MODEL", f"fast-{name}")
    settings = load_settings()
    for name, chosen in settings.providers.items():
        prefix = name.upper()
        assert (chosen.key, chosen.model) == (f"key-{prefix}", f"model-{prefix}")
        expected = "google.test" if name == "gemini" else f"{name}.test"
        assert chosen.base_url == f"http://{expected}/v1"
        sdk = name in ("gemini", "openai", "anthropic")
        assert chosen.fast_model == (f"fast-{prefix}" if sdk else None)
    assert settings.keyed_providers() == ["gemini", "openai", "anthropic"]


def test_an_experiment_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """LLM_EXPERIMENT becomes weighted variants."""
    monkeypatch.setenv("LLM_EXPERIMENT", "a:1:gemini/x,b:3:openai/y+question")
    experiment = load_settings().llm.experiment()
    assert experiment is not None
    assert [(v.name, v.weight, v.prompt) for v in experiment.variants] == [
        ("a", 1, ""),
        ("b", 3, "question"),
    ]


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("LLM_BREAKERS", "gemini=3", "provider=failures/seconds"),
        ("LLM_BREAKERS", "skynet=3/30", "skynet"),
        ("LLM_BREAKERS", "gemini=0/30", ">= 1"),
        ("LLM_EXPERIMENT", "a:1:skynet/x", "skynet"),
        ("LLM_EXPERIMENT", "a:1:gemini", "provider/model"),
        ("LLM_TOTAL_TIMEOUT", "0", "greater than 0"),
        ("LLM_HEDGE_AFTER", "-1", "greater than or equal to 0"),
        ("LLM_MAX_ROUNDS", "0", "greater than or equal to 1"),
        ("OPENAI_BASE_URL", "localhost:1234", "http"),
        ("GOOGLE_GEMINI_BASE_URL", "ftp://example.org", "http"),
        ("VLLM_BASE_URL", "localhost:8000", "http"),
        ("LLM_PRICES", "skynet=*:1/1/1", "skynet"),
        ("LLM_PROVIDERS", "gemini,vllm,skynet", "skynet"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    """Every invalid value produces one line starting with the variable's name."""
    assert_bad_value_is_named(monkeypatch, variable, value, says)
