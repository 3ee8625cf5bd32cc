"""What replies cost: US dollars per million tokens, per provider and model (``LLM_PRICES``).

Input read from a provider's prompt cache is billed at its own, lower price; Anthropic bills
the tokens it writes to its cache at 1.25x the input price (its 5-minute cache). The same
prices weigh the daily and session token budgets: a cached token counts as the fraction of
an input token it costs, so a cache-friendly conversation lasts longer on the same budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from innertalk.domain.prompting import ModelReply, TokenUsage
from innertalk.domain.stats import ModelSpend
from innertalk.infrastructure.llm.providers import models
from innertalk.infrastructure.observability import metrics

CACHE_WRITE_PREMIUM = {"anthropic": 1.25}
"""Cache writes cost this multiple of the input price; elsewhere they cost the input price."""


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per million tokens."""

    input: float
    cached_input: float
    output: float
    cache_write: float | None = None
    """``None``: the input price."""

    def cost(self, usage: TokenUsage) -> float:
        """Dollars ``usage`` costs at these prices."""
        fresh = max(0, usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens)
        write = self.input if self.cache_write is None else self.cache_write
        return (
            fresh * self.input
            + usage.cached_input_tokens * self.cached_input
            + usage.cache_write_tokens * write
            + usage.output_tokens * self.output
        ) / 1_000_000

    def charged(self, usage: TokenUsage) -> int:
        """``usage.total`` with cached (and cache-written) input weighed by its price ratio."""
        if self.input <= 0:
            return usage.total
        write = self.input if self.cache_write is None else self.cache_write
        fresh = usage.input_tokens - usage.cached_input_tokens - usage.cache_write_tokens
        weighed = (
            max(0, fresh)
            + usage.cached_input_tokens * self.cached_input / self.input
            + usage.cache_write_tokens * write / self.input
        )
        return round(weighed) + usage.output_tokens


DEFAULT_PRICES: Mapping[tuple[str, str], Price] = {
    ("gemini", models.GEMINI_DEFAULT): Price(0.30, 0.03, 2.50),
    ("gemini", models.GEMINI_FAST): Price(0.10, 0.01, 0.40),
    ("openai", models.OPENAI_DEFAULT): Price(0.25, 0.025, 2.00),
    ("anthropic", models.ANTHROPIC_DEFAULT): Price(3.00, 0.30, 15.00),
    ("anthropic", models.ANTHROPIC_FAST): Price(1.00, 0.10, 5.00),
    ("ollama", ""): Price(0.0, 0.0, 0.0),
    ("llamacpp", ""): Price(0.0, 0.0, 0.0),
    ("vllm", ""): Price(0.0, 0.0, 0.0),
    ("offline", ""): Price(0.0, 0.0, 0.0),
}
"""Published list prices when these defaults were set (README, *Configuration*); an empty
model prices every model of that provider (local servers cost nothing per token)."""


class PriceTable:
    """Prices by provider and model; a served model name like ``gpt-6-luna-2026-11-01``
    matches the longest configured model name it starts with."""

    def __init__(
        self,
        overrides: Mapping[tuple[str, str], tuple[float, float, float]] | None = None,
        *,
        defaults: Mapping[tuple[str, str], Price] = DEFAULT_PRICES,
    ) -> None:
        table = dict(defaults)
        for (provider, model), (inp, cached, out) in (overrides or {}).items():
            table[(provider, model)] = Price(inp, cached, out)
        self._table = {
            key: price
            if price.cache_write is not None or key[0] not in CACHE_WRITE_PREMIUM
            else replace(price, cache_write=price.input * CACHE_WRITE_PREMIUM[key[0]])
            for key, price in table.items()
        }

    def price(self, provider: str, model: str) -> Price | None:
        """The price of ``model`` at ``provider``; ``None`` when the table has none."""
        found = [
            (len(name), price)
            for (name_provider, name), price in self._table.items()
            if name_provider == provider and model.startswith(name)
        ]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def spend_cost(self, spend: ModelSpend) -> float | None:
        """What ``spend`` cost with all its input at the input price; ``None``: no price."""
        price = self.price(spend.provider, spend.model)
        usage = TokenUsage(spend.input_tokens, spend.output_tokens)
        return None if price is None else price.cost(usage)


def accounted(provider: str, reply: ModelReply, prices: PriceTable) -> ModelReply:
    """Count ``reply``'s tokens and cost; its usage then carries the tokens budgets charge."""
    usage = reply.usage
    metrics.LLM_TOKENS.labels(provider, "input").inc(usage.input_tokens)
    metrics.LLM_TOKENS.labels(provider, "output").inc(usage.output_tokens)
    metrics.LLM_TOKENS.labels(provider, "cached_input").inc(usage.cached_input_tokens)
    price = prices.price(provider, reply.model)
    if price is None:
        return reply
    metrics.LLM_COST.labels(provider, reply.model).inc(price.cost(usage))
    if not usage.cached_input_tokens and not usage.cache_write_tokens:
        return reply  # charged at the plain total
    return replace(reply, usage=replace(usage, charged_tokens=price.charged(usage)))
