"""Cost per conversation: prompt caching through the real SDKs, before and after (issue 17).

    .venv/bin/python -m bench.llm_cost [--messages 30 100]

One conversation per length is driven through ``TalkService`` twice (``bench.prompt_prefix``):
*before* with the history window sliding one turn per message, *after* with block folding.
Each conversation's requests (its replies and, after, its fold requests, which are billed
too) are then replayed in order through each real SDK adapter against its loopback fake,
whose prompt cache reports cached tokens as the real API does
(``tests/fakes/providers/prompt_cache.py``): *before* without the caching fields (no
``cache_control`` breakpoints, no ``prompt_cache_key``), *after* with the current code.
Every answer is 150 tokens. Prices are the built-in ``LLM_PRICES`` defaults. Prints Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

import structlog

from bench.prompt_prefix import Reuse, conversation, is_fold, labelled, lowest
from innertalk.domain.prompting import ModelRequest, TokenUsage
from innertalk.infrastructure.llm.prices import PriceTable
from innertalk.infrastructure.llm.providers.anthropic import AnthropicProvider
from innertalk.infrastructure.llm.providers.gemini import GeminiProvider
from innertalk.infrastructure.llm.providers.openai import OpenAIProvider
from innertalk.infrastructure.llm.providers.provider import Provider
from tests.fakes.providers import AnthropicServer, Behaviour, GeminiServer, OpenAIServer
from tests.fakes.providers.base import FakeProviderServer

REPLY_TOKENS = 150
PROVIDERS = ("openai", "anthropic", "gemini")


@dataclass(frozen=True, slots=True)
class Run:
    """One conversation replayed through one provider."""

    usages: list[TokenUsage]
    input_cost: float
    cost: float

    @property
    def cached_share(self) -> float:
        total = sum(u.input_tokens for u in self.usages)
        return sum(u.cached_input_tokens for u in self.usages) / total if total else 0.0


def _server(name: str) -> FakeProviderServer:
    return {"openai": OpenAIServer, "anthropic": AnthropicServer, "gemini": GeminiServer}[name]()


def _provider(name: str, base_url: str, *, caching: bool) -> Provider:
    if name == "openai":
        return OpenAIProvider(api_key="bench", base_url=base_url, prompt_cache_key=caching)
    if name == "anthropic":
        return AnthropicProvider(api_key="bench", base_url=base_url, cache_breakpoints=caching)
    return GeminiProvider(api_key="bench", base_url=base_url)  # implicit caching: no field


async def replay(name: str, requests: Sequence[ModelRequest], *, caching: bool) -> Run:
    """``requests`` through ``name``'s SDK against a fake with a fresh prompt cache."""
    async with _server(name) as server:
        server.prompt_cache = server.new_cache()
        server.default = replace(Behaviour.ok(), output_tokens=REPLY_TOKENS)
        provider = _provider(name, server.base_url, caching=caching)
        try:
            usages = [(await provider.complete(request)).usage for request in requests]
        finally:
            await provider.aclose()
    price = PriceTable().price(name, provider.default_model)
    assert price is not None
    input_cost = sum(price.cost(replace(u, output_tokens=0)) for u in usages)
    return Run(usages, input_cost, sum(price.cost(u) for u in usages))


async def report(lengths: Sequence[int]) -> list[str]:
    lines = [
        "| messages | provider | requests (folds) | prefix reuse mean / lowest after the 1st "
        "(before → after) | lowest after: fold request / reply after a fold "
        "| cached share of input (before → after) | input cost, USD (before → after) "
        "| input cost cut | total cost, USD (before → after) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for length in lengths:
        before_requests = await conversation(length, folding=False)
        after_requests = await conversation(length, folding=True)
        before_reuse, after_reuse = Reuse.of(before_requests), Reuse.of(after_requests)
        folds = sum(is_fold(request) for request in after_requests)
        reuse = (
            f"{before_reuse.mean:.0%} / {min(before_reuse.shares):.0%} → "
            f"{after_reuse.mean:.0%} / {min(after_reuse.shares):.0%}"
        )
        lows = f"{lowest(after_reuse.folds)} / {lowest(after_reuse.after_folds)}"
        for name in PROVIDERS:
            before = await replay(name, before_requests, caching=False)
            after = await replay(name, after_requests, caching=True)
            cut = 1 - after.input_cost / before.input_cost
            lines.append(
                f"| {length} | {name} | {len(after_requests)} ({folds}) | {reuse} | {lows} "
                f"| {before.cached_share:.0%} → {after.cached_share:.0%} "
                f"| {before.input_cost:.4f} → {after.input_cost:.4f} | {cut:.1%} "
                f"| {before.cost:.4f} → {after.cost:.4f} |"
            )
    return lines


async def _main(lengths: Sequence[int]) -> None:
    print("\n".join(await report(lengths)))
    for length in lengths:
        for label, folding in (("before", False), ("after", True)):
            shares = labelled(await conversation(length, folding=folding))
            print(f"\nPrefix reuse per request, {length} messages, {label} (F: a fold):\n{shares}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[30, 100])
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    asyncio.run(_main(args.messages))


if __name__ == "__main__":
    main()
