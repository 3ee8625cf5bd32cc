"""Prompt caching through the real SDKs: what each request carries for the provider's cache,
and the cached tokens the fake servers report reaching the reply, the metrics and the cost."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY

from innertalk.domain.conversation import Role
from innertalk.domain.prompting import ChatMessage, ModelReply, ModelRequest
from innertalk.infrastructure.llm.providers.openai import cache_key_of
from innertalk.infrastructure.llm.router import ChainLink, ModelRouter
from tests.fakes.clock import FakeClock
from tests.fakes.llm import cut_off_note
from tests.fakes.providers import AnthropicServer, GeminiServer, OpenAIServer
from tests.integration.provider_harness import CASES, Case, Harness, running

SYSTEM = "You are a warm listener who reflects feelings back. " * 120  # ≈1,500 tokens
HISTORY = (
    ChatMessage(Role.USER, "Hi, rough week."),
    ChatMessage(Role.ASSISTANT, "I'm sorry it has been rough. What happened?"),
)
FIRST = ModelRequest(SYSTEM, "I could not sleep again.", HISTORY, user_ref="p-4f2a")
SECOND = ModelRequest(
    SYSTEM,
    "Work, mostly.",
    (
        *HISTORY,
        ChatMessage(Role.USER, "I could not sleep again."),
        ChatMessage(Role.ASSISTANT, "That sounds exhausting. What kept you awake?"),
    ),
    user_ref="p-4f2a",
)
SDK_CASES = [case for case in CASES if case.name != "ollama"]


@pytest.fixture(params=SDK_CASES, ids=lambda case: case.name)
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    case: Case = request.param
    async with running(case) as running_harness:
        running_harness.server.prompt_cache = running_harness.server.new_cache()
        yield running_harness


def _sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _conversation(router: ModelRouter, *, streaming: bool) -> list[ModelReply]:
    replies = []
    for request in (FIRST, SECOND):
        if streaming:
            chunks = [chunk async for chunk in router.stream(request)]
            assert chunks[-1].reply is not None
            replies.append(chunks[-1].reply)
        else:
            replies.append(await router.complete(request))
    return replies


@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_cached_tokens_reach_the_reply_the_metric_and_the_cost(
    harness: Harness, streaming: bool
) -> None:
    """The second request of a conversation reads its prefix from the provider's cache: the
    reply, ``innertalk_llm_tokens_total{type="cached_input"}`` and the cost all show it."""
    name = harness.provider.name
    router = ModelRouter(
        [ChainLink(harness.provider)], clock=FakeClock(), cut_off_note=cut_off_note
    )
    cached_before = _sample(
        "innertalk_llm_tokens_total", {"provider": name, "type": "cached_input"}
    )

    first, second = await _conversation(router, streaming=streaming)

    assert first.usage.cached_input_tokens == 0
    assert second.usage.cached_input_tokens >= 1024
    assert second.usage.cached_input_tokens < second.usage.input_tokens
    cached_after = _sample(
        "innertalk_llm_tokens_total", {"provider": name, "type": "cached_input"}
    )
    assert cached_after - cached_before == second.usage.cached_input_tokens
    cost = _sample("innertalk_llm_cost_usd_total", {"provider": name, "model": second.model})
    assert cost > 0
    assert second.usage.charged_tokens is not None
    assert second.usage.charged_tokens < second.usage.total


async def test_openai_sends_a_hashed_prompt_cache_key_per_person() -> None:
    """OpenAI requests carry ``prompt_cache_key``: the same for one person, never the pseudonym."""
    async with running(next(c for c in CASES if c.name == "openai")) as harness:
        await harness.provider.complete(FIRST)
        await harness.provider.complete(SECOND)
        await harness.provider.complete(ModelRequest(SYSTEM, "hi", user_ref="p-other"))
        keys = [request.body.get("prompt_cache_key") for request in harness.server.requests]
    assert keys[0] == keys[1] == cache_key_of("p-4f2a")
    assert keys[2] != keys[0]
    assert all(key and "p-4f2a" not in key for key in keys)


async def test_compatible_servers_get_no_prompt_cache_key() -> None:
    """OpenAI-compatible servers (Ollama here) are not sent OpenAI's caching parameter."""
    async with running(next(c for c in CASES if c.name == "ollama")) as harness:
        await harness.provider.complete(FIRST)
        assert "prompt_cache_key" not in harness.server.requests[0].body


async def test_openai_caches_in_128_token_steps_from_1024() -> None:
    """The OpenAI fake reports cached tokens as the API does: 1024 plus whole 128-token steps."""
    async with running(next(c for c in CASES if c.name == "openai")) as harness:
        harness.server.prompt_cache = harness.server.new_cache()
        await harness.provider.complete(FIRST)
        reply = await harness.provider.complete(SECOND)
    assert (reply.usage.cached_input_tokens - 1024) % 128 == 0


async def test_anthropic_breakpoints_end_the_system_prompt_and_the_history() -> None:
    """Anthropic requests mark the system prompt and the last history message with
    ``cache_control``; the newest message carries none."""
    async with running(next(c for c in CASES if c.name == "anthropic")) as harness:
        assert isinstance(harness.server, AnthropicServer)
        await harness.provider.complete(SECOND)
        body = harness.server.requests[0].body
    ephemeral = {"type": "ephemeral"}
    assert [block.get("cache_control") for block in body["system"]] == [ephemeral]
    marks = [
        [block.get("cache_control") for block in message["content"]]
        if isinstance(message["content"], list)
        else None
        for message in body["messages"]
    ]
    assert marks == [[None], [None], [None], [ephemeral], None]


async def test_anthropic_also_marks_the_end_of_the_pinned_opening() -> None:
    """With a pinned opening, its last message is a breakpoint too: the reply after a fold
    (whose later turns changed) reads the system prompt and the opening from the cache."""
    pinned = replace(SECOND, pinned=2, kept_from=2)
    async with running(next(c for c in CASES if c.name == "anthropic")) as harness:
        await harness.provider.complete(pinned)
        body = harness.server.requests[0].body
    ephemeral = {"type": "ephemeral"}
    marks = [
        [block.get("cache_control") for block in message["content"]]
        if isinstance(message["content"], list)
        else None
        for message in body["messages"]
    ]
    assert marks == [[None], [ephemeral], [None], [ephemeral], None]


async def test_gemini_joins_the_summary_note_and_the_persons_turn() -> None:
    """Two messages of one role in a row (the summary note, then the person) go as one
    content of two parts, so Gemini's roles alternate."""
    note = ChatMessage(Role.USER, "(A note from the app ...) They felt tired.")
    request = replace(SECOND, history=(note, *SECOND.history), pinned=0, kept_from=1)
    async with running(next(c for c in CASES if c.name == "gemini")) as harness:
        await harness.provider.complete(request)
        body = harness.server.requests[0].body
    roles = [content["role"] for content in body["contents"]]
    assert all(a != b for a, b in itertools.pairwise(roles))
    first = [part["text"] for part in body["contents"][0]["parts"]]
    assert first == [note.text, SECOND.history[0].text]


async def test_anthropic_writes_the_cache_first_and_reads_it_next() -> None:
    """The first request is billed as cache creation, the next reads what it wrote."""
    async with running(next(c for c in CASES if c.name == "anthropic")) as harness:
        harness.server.prompt_cache = harness.server.new_cache()
        first = await harness.provider.complete(FIRST)
        second = await harness.provider.complete(SECOND)
    assert first.usage.cache_write_tokens >= 1024
    assert first.usage.cached_input_tokens == 0
    assert second.usage.cached_input_tokens == first.usage.cache_write_tokens
    assert 0 < second.usage.cache_write_tokens < first.usage.cache_write_tokens


async def test_gemini_sends_system_instruction_and_history_before_the_newest_message() -> None:
    """Gemini's implicit cache needs the stable part first: system instruction, history, then
    the newest message last."""
    async with running(next(c for c in CASES if c.name == "gemini")) as harness:
        assert isinstance(harness.server, GeminiServer)
        await harness.provider.complete(SECOND)
        body = harness.server.requests[0].body
    assert body["systemInstruction"]["parts"][0]["text"] == SYSTEM
    texts = [content["parts"][0]["text"] for content in body["contents"]]
    assert texts == [*(m.text for m in SECOND.history), SECOND.message]


def test_servers_without_a_prompt_cache_keep_their_fixed_counts() -> None:
    """Fakes count tokens only when a test asks for the cache (others rely on fixed counts)."""
    assert OpenAIServer().prompt_cache is None
