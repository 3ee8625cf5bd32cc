"""Prices per provider and model: cost, budget weighing, the table's lookup and LLM_PRICES."""

from __future__ import annotations

from dataclasses import replace

import pytest

from innertalk.application.conversation.talk import charged_tokens
from innertalk.config import ConfigError, LLMSettings, load_settings
from innertalk.domain.prompting import ModelReply, ModelRequest, TokenUsage
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.llm.prices import Price, PriceTable
from tests.fakes.clock import FakeClock
from tests.fakes.core import build_core
from tests.fakes.models import ScriptedModel
from tests.unit.application.conversation.test_token_budget import FakeTokenBudget

ALICE = UserKey("bot", 1)
CACHED = TokenUsage(10_000, 200, cached_input_tokens=8_000)


def test_cached_input_costs_its_own_price() -> None:
    """Cached input is billed at the cached price, the rest of the input at the input price."""
    price = Price(input=1.0, cached_input=0.1, output=10.0)
    assert price.cost(CACHED) == pytest.approx((2_000 * 1.0 + 8_000 * 0.1 + 200 * 10.0) / 1e6)


def test_budgets_count_cached_input_at_its_price_ratio() -> None:
    """A cached token weighs cached/input of a token in the budgets; output counts whole."""
    price = Price(input=1.0, cached_input=0.1, output=10.0)
    assert price.charged(CACHED) == 2_000 + 800 + 200


def test_anthropic_cache_writes_cost_a_quarter_more() -> None:
    """Anthropic's cache creation is priced at 1.25x input, even for an overridden price."""
    table = PriceTable({("anthropic", "claude-x"): (4.0, 0.4, 20.0)})
    price = table.price("anthropic", "claude-x")
    assert price is not None
    assert price.cache_write == pytest.approx(5.0)
    written = TokenUsage(1_000, 0, cache_write_tokens=1_000)
    assert price.cost(written) == pytest.approx(1_000 * 5.0 / 1e6)


def test_a_served_model_name_matches_its_longest_configured_prefix() -> None:
    """``gpt-6-luna-2026-11-01`` is priced as gpt-6-luna; unknown models have no price."""
    table = PriceTable({("openai", "gpt-6"): (9.0, 9.0, 9.0)})
    luna = table.price("openai", "gpt-6-luna-2026-11-01")
    assert luna is not None
    assert luna.input == 0.25
    assert table.price("openai", "gpt-6-mini") == Price(9.0, 9.0, 9.0)
    assert table.price("openrouter", "some/model") is None
    assert table.price("ollama", "llama3.1:8b") == Price(0.0, 0.0, 0.0)


def test_llm_prices_override_entries_and_models_with_colons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LLM_PRICES reads provider=model:in/cached/out, ``*`` for every model of a provider."""
    monkeypatch.setenv(
        "LLM_PRICES", "openai=gpt-6-luna:0.3/0.03/2.4, ollama=qwen3:8b:0/0/0,vllm=*:1/1/1"
    )
    prices = LLMSettings(_env_file=None).llm_prices  # type: ignore[call-arg]
    assert prices == {
        "openai=gpt-6-luna": (0.3, 0.03, 2.4),
        "ollama=qwen3:8b": (0.0, 0.0, 0.0),
        "vllm=": (1.0, 1.0, 1.0),
    }


@pytest.mark.parametrize(
    "value", ["openai=gpt:1/2", "nobody=m:1/1/1", "openai=:1/1/1", "openai=m:a/1/1"]
)
def test_a_bad_llm_prices_entry_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A malformed LLM_PRICES entry fails configuration with a line that names LLM_PRICES."""
    monkeypatch.setenv("LLM_PRICES", value)
    with pytest.raises(ConfigError, match=r"^LLM_PRICES: ") as caught:
        load_settings(None)
    assert "\n" not in str(caught.value)


def test_charged_tokens_fall_back_to_the_total() -> None:
    """A reply nobody priced (or with nothing cached) is charged its plain total."""
    assert charged_tokens(TokenUsage(100, 20)) == 120
    assert charged_tokens(replace(CACHED, charged_tokens=3_000)) == 3_000


class CachedModel(ScriptedModel):
    """A ``ScriptedModel`` whose replies read most of their input from a cache, priced."""

    async def complete(self, request: ModelRequest) -> ModelReply:
        reply = await super().complete(request)
        return replace(reply, usage=replace(CACHED, charged_tokens=3_000))


async def test_the_daily_budget_spends_the_charged_tokens(clock: FakeClock) -> None:
    """Cached input weighs at its price in USER_DAILY_TOKENS, not as full input tokens."""
    budget = FakeTokenBudget(100_000)
    core = build_core(CachedModel(), clock, budget=budget)
    await core.profiles.ensure(ALICE, language=Language.EN, consent=True)
    await core.talk.reply(ALICE, "hello there")
    assert budget.spent == {ALICE: 3_000}
