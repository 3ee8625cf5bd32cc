"""The composition root builds the provider chain from settings, offline always last."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from innertalk.bootstrap import breaker_policy, build_model, chain_names, router_policy
from innertalk.config import ConfigError, Settings, known_providers, load_settings
from innertalk.infrastructure.llm.breaker import BreakerPolicy
from innertalk.infrastructure.llm.providers.provider import Provider
from tests.fakes.clock import FakeClock
from tests.fakes.llm import FakeProvider, chat_request


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("LLM_", "GEMINI_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def _fakes(name: str) -> Provider:
    return FakeProvider(name, default_model=f"{name}-default")


async def test_without_keys_the_offline_responder_answers(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """No key, no provider: the app still starts and answers offline."""
    router = build_model(_settings(monkeypatch), clock)
    assert router.provider_names == []
    assert (await router.complete(chat_request("Hello"))).provider == "offline"


def test_the_default_chain_is_every_sdk_provider_with_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keys for anthropic and gemini → gemini, anthropic (in the fixed order)."""
    settings = _settings(monkeypatch, ANTHROPIC_API_KEY="sk-ant", GEMINI_API_KEY="g")
    assert chain_names(settings) == ["gemini", "anthropic"]


def test_llm_providers_orders_the_chain(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """LLM_PROVIDERS picks and orders providers, including keyless local servers."""
    settings = _settings(monkeypatch, LLM_PROVIDERS="ollama,openai")
    assert build_model(settings, clock, factory=_fakes).provider_names == ["ollama", "openai"]


def test_offline_in_the_list_ends_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    """LLM_PROVIDERS=offline answers offline even though a key is set."""
    settings = _settings(monkeypatch, LLM_PROVIDERS="offline,gemini", GEMINI_API_KEY="g")
    assert chain_names(settings) == []


def test_breaker_rules_come_from_llm_breakers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider's own rule wins over *, and without either its registry row's applies."""
    llm = _settings(monkeypatch, LLM_BREAKERS="openai=2/20,*=4/40").llm
    assert breaker_policy(llm, "openai") == BreakerPolicy(2, 20.0)
    assert breaker_policy(llm, "gemini") == BreakerPolicy(4, 40.0)
    unset = _settings(monkeypatch, LLM_BREAKERS="").llm
    assert breaker_policy(unset, "gemini") == BreakerPolicy(3, 30.0)
    assert breaker_policy(unset, "anthropic") == BreakerPolicy(5, 60.0)


def test_router_limits_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every router timeout and limit is the configured one."""
    llm = _settings(
        monkeypatch,
        LLM_FIRST_TOKEN_TIMEOUT="7",
        LLM_TOTAL_TIMEOUT="30",
        LLM_HEDGE_AFTER="0",
        LLM_MAX_ROUNDS="3",
        LLM_BACKOFF_MAX="1.5",
        LLM_AUTH_COOLDOWN="120",
    ).llm
    policy = router_policy(llm)
    assert (policy.first_token_timeout, policy.total_timeout, policy.hedge_after) == (7, 30, 0)
    assert (policy.max_rounds, policy.backoff_max, policy.auth_cooldown) == (3, 1.5, 120)


def test_an_experiment_outside_the_chain_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """A variant on a provider that is not in the chain stops start-up, naming the variable."""
    settings = _settings(monkeypatch, LLM_EXPERIMENT="a:1:openai/x", LLM_PROVIDERS="gemini")
    with pytest.raises(ConfigError, match=r"^LLM_EXPERIMENT: .*'openai'"):
        build_model(settings, clock, factory=_fakes)


def test_a_listed_provider_without_its_key_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """Listing anthropic without ANTHROPIC_API_KEY fails with one line naming both."""
    settings = _settings(monkeypatch, LLM_PROVIDERS="anthropic")
    with pytest.raises(ConfigError, match=r"^LLM_PROVIDERS: .*ANTHROPIC_API_KEY"):
        build_model(settings, clock)


async def test_the_registry_builds_real_providers(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """With keys set, the SDK adapters are built with the configured models (no network)."""
    settings = _settings(
        monkeypatch, GEMINI_API_KEY="g", OPENAI_API_KEY="sk-test", OPENAI_MODEL="custom"
    )
    router = build_model(settings, clock)
    assert router.provider_names == ["gemini", "openai"]
    assert router.providers[1].default_model == "custom"
    await router.aclose()


def test_the_settings_know_every_registry_row() -> None:
    """LLM_PROVIDERS accepts exactly the registry's providers (plus offline)."""
    from innertalk.infrastructure.llm.registry import PROVIDERS

    assert known_providers() == (*PROVIDERS, "offline")
