"""A new OpenAI-compatible provider is one registry row: with only a test row added, its
variables are read, ``LLM_*`` settings accept its name, and the composition root's chain answers
through the real openai SDK against the loopback OpenAI fake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from innertalk.bootstrap import build_model
from innertalk.config import ConfigError, load_settings
from innertalk.infrastructure.llm.breaker import BreakerPolicy
from innertalk.infrastructure.llm.registry import (
    PROVIDERS,
    ProviderKind,
    ProviderSpec,
    ProviderVariables,
    openai_compatible,
)
from tests.fakes.clock import FakeClock
from tests.fakes.llm import chat_request
from tests.fakes.providers import DEFAULT_TEXT, OpenAIServer

ROW = ProviderSpec(
    name="lmstudio",
    kind=ProviderKind.OPENAI_COMPATIBLE,
    adapter=openai_compatible,
    variables=ProviderVariables.prefixed("LMSTUDIO"),
    default_model="qwen3-4b",
    default_base_url="http://127.0.0.1:9/v1",  # the discard port: a test must set its own URL
    key_required=False,
    breaker=BreakerPolicy(2, 20.0),
)
"""The row an operator would add to ``registry.PROVIDERS``, and nothing else."""


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``ROW`` in the registry for one test, in a clean environment."""
    for name in list(os.environ):
        if name.startswith(("LLM_", "LMSTUDIO_")):
            monkeypatch.delenv(name)
    for spec in PROVIDERS.values():
        for variable in (*spec.variables.api_key, *spec.variables.documented()):
            monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(PROVIDERS, ROW.name, ROW)


async def test_a_compatible_row_answers_end_to_end(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    """LMSTUDIO_* variables configure the row and the chain's reply comes from that server."""
    async with OpenAIServer() as server:
        monkeypatch.setenv("LLM_PROVIDERS", "lmstudio")
        monkeypatch.setenv("LMSTUDIO_BASE_URL", server.base_url)
        monkeypatch.setenv("LMSTUDIO_MODEL", "qwen3-8b")
        monkeypatch.setenv("LMSTUDIO_API_KEY", "lm-secret")
        router = build_model(load_settings(env_file=None), clock)
        try:
            reply = await router.complete(chat_request("I feel a bit lost today"))
        finally:
            await router.aclose()
    assert (reply.provider, reply.text) == ("lmstudio", DEFAULT_TEXT)
    assert reply.model == server.served_model("qwen3-8b")
    sent = server.requests[0]
    assert sent.model == "qwen3-8b"
    assert "authorization" in sent.credentials
    # the compatible adapter's dialect: max_tokens, no OpenAI-only parameters
    assert "max_tokens" in sent.body
    assert "prompt_cache_key" not in sent.body
    assert "reasoning_effort" not in sent.body
    assert router.breaker("lmstudio").policy == BreakerPolicy(2, 20.0)


def test_its_name_is_known_to_every_llm_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """LLM_BREAKERS, LLM_PRICES and LLM_EXPERIMENT accept the new name; keys alone skip it."""
    monkeypatch.setenv("LLM_BREAKERS", "lmstudio=4/40")
    monkeypatch.setenv("LLM_PRICES", "lmstudio=*:0/0/0")
    monkeypatch.setenv("LLM_EXPERIMENT", "a:1:lmstudio/qwen3-8b")
    monkeypatch.setenv("LMSTUDIO_API_KEY", "lm-secret")
    settings = load_settings(env_file=None)
    assert settings.llm.llm_breakers == {"lmstudio": (4, 40.0)}
    assert settings.llm.llm_prices == {"lmstudio=": (0.0, 0.0, 0.0)}
    assert settings.provider("lmstudio").key == "lm-secret"
    assert settings.keyed_providers() == []  # compatible servers join only when listed


def test_a_bad_value_names_the_rows_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed LMSTUDIO_BASE_URL stops start-up with one line naming it."""
    monkeypatch.setenv("LMSTUDIO_BASE_URL", "localhost:1234")
    with pytest.raises(ConfigError, match=r"^LMSTUDIO_BASE_URL: must be an http"):
        load_settings(env_file=None)
