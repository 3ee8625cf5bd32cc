"""Language model settings: the router's knobs, breakers, experiments, one line per mistake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from innertalk.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("LLM_", "GEMINI_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "GOOGLE_")):
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
    llm = load_settings().llm
    assert llm.configured_keys() == ["gemini"]
    assert llm.api_key("gemini") == "AIza-test"


def test_per_provider_models_and_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Models and base URLs are looked up by provider name; unset ones are None."""
    monkeypatch.setenv("GEMINI_FAST_MODEL", "tiny")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("OLLAMA_MODEL", "llama3.1:8b")
    llm = load_settings().llm
    assert llm.model("gemini", fast=True) == "tiny"
    assert llm.model("gemini") is None
    assert llm.base_url("gemini") == "http://127.0.0.1:9000"
    assert llm.model("ollama") == "llama3.1:8b"
    assert llm.api_key("ollama") is None


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
        ("LLM_PROVIDERS", "gemini,vllm,skynet", "skynet"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    """Every invalid value produces one line starting with the variable's name."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}: ")
    assert says in message
    assert "\n" not in message
