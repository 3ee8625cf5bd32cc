"""Provider adapters with their real SDKs against loopback fakes: answers and request shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from innertalk.domain.prompting import TokenUsage
from tests.fakes.providers import DEFAULT_TEXT, AnthropicServer, Behaviour, GeminiServer
from tests.integration.provider_harness import (
    CASES,
    REQUEST,
    Harness,
    drain,
    running,
    sent,
)

REPORTED = TokenUsage(input_tokens=42, output_tokens=17)


@pytest.fixture(params=CASES, ids=[case.name for case in CASES])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    async with running(request.param) as harness:
        yield harness


async def test_complete_returns_text_usage_and_served_model(harness: Harness) -> None:
    """complete() returns the server's text, its reported usage and the model it named."""
    reply = await harness.provider.complete(REQUEST)

    default = harness.provider.default_model
    assert reply.text == DEFAULT_TEXT
    assert reply.usage == REPORTED
    assert reply.provider == harness.case.name
    assert reply.model == harness.server.served_model(default)
    assert harness.server.requests[0].model == default


async def test_stream_yields_deltas_then_the_full_reply(harness: Harness) -> None:
    """stream() yields text deltas, then one empty chunk carrying the reply they add up to."""
    chunks = await drain(harness.provider)

    *deltas, last = chunks
    assert len(deltas) > 1
    assert all(chunk.text and chunk.reply is None for chunk in deltas)
    assert last.text == ""
    assert last.reply is not None
    assert last.reply.text == "".join(chunk.text for chunk in deltas) == DEFAULT_TEXT
    assert last.reply.usage == REPORTED
    assert last.reply.model == harness.server.served_model(harness.provider.default_model)


@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_system_history_message_and_limits_reach_the_server(
    harness: Harness, streaming: bool
) -> None:
    """System prompt, history with roles, message and reply limit arrive in the API's shape."""
    if streaming:
        await drain(harness.provider)
    else:
        await harness.provider.complete(REQUEST)

    request = sent(harness.case, harness.server.requests[0].body)
    assert request.system == REQUEST.system
    assert request.turns == [
        ("user", "Hi, rough week."),
        ("assistant", "I'm sorry it has been rough. What happened?"),
        ("user", REQUEST.message),
    ]
    assert request.max_tokens == REQUEST.max_output_tokens
    # Current Claude models reject sampling parameters, so Anthropic gets no temperature.
    expected = None if harness.case.server is AnthropicServer else REQUEST.temperature
    assert request.temperature == expected


async def test_stream_asks_the_server_for_a_stream(harness: Harness) -> None:
    """A stream uses the API's streaming form (SSE), with usage requested where it is optional."""
    await drain(harness.provider)

    recorded = harness.server.requests[0]
    assert recorded.stream
    if harness.case.server is GeminiServer:
        assert recorded.path.endswith(":streamGenerateContent?alt=sse")
    elif harness.case.server is not AnthropicServer:
        assert recorded.body["stream_options"] == {"include_usage": True}


async def test_one_call_is_one_request_with_the_provider_credential(harness: Harness) -> None:
    """Each call sends exactly one request, authenticated with the provider's own header."""
    await harness.provider.complete(REQUEST)
    await drain(harness.provider)

    assert harness.server.count == 2
    for recorded in harness.server.requests:
        assert recorded.credentials == {harness.case.credential_header}


async def test_the_model_argument_picks_the_model(harness: Harness) -> None:
    """complete(model=...) and stream(model=...) ask the server for that model."""
    await harness.provider.complete(REQUEST, model="special-model")
    chunks = [chunk async for chunk in harness.provider.stream(REQUEST, model="special-model")]

    assert [r.model for r in harness.server.requests] == ["special-model", "special-model"]
    assert chunks[-1].reply is not None
    assert chunks[-1].reply.model == harness.server.served_model("special-model")


async def test_slow_headers_and_first_token_within_the_read_timeout_are_fine(
    harness: Harness,
) -> None:
    """Latency before headers and before the first token, below the read timeout, still answers."""
    harness.server.script(
        Behaviour.ok(latency=0.1), Behaviour.ok(latency=0.05, first_token_delay=0.1)
    )

    reply = await harness.provider.complete(REQUEST)
    chunks = await drain(harness.provider)

    assert reply.text == DEFAULT_TEXT
    assert chunks[-1].reply is not None
    assert chunks[-1].reply.text == DEFAULT_TEXT


async def test_the_compatible_row_sends_max_tokens_and_no_reasoning_effort() -> None:
    """OpenAI-compatible rows use max_tokens and never send reasoning_effort; OpenAI's row does."""
    ollama, openai = (next(c for c in CASES if c.name == n) for n in ("ollama", "openai"))
    async with running(ollama) as local, running(openai) as hosted:
        await local.provider.complete(REQUEST)
        await hosted.provider.complete(REQUEST)

    local_body = local.server.requests[0].body
    hosted_body = hosted.server.requests[0].body
    assert local_body["max_tokens"] == REQUEST.max_output_tokens
    assert "max_completion_tokens" not in local_body
    assert "reasoning_effort" not in local_body
    assert local.server.requests[0].model == "llama3.2"
    assert hosted_body["max_completion_tokens"] == REQUEST.max_output_tokens
    assert hosted_body["reasoning_effort"] == "none"
