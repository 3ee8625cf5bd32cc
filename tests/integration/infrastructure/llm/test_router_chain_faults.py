"""The whole model chain against faults that have a reaction of their own: rate limits, a
rejected key, context overflow, content policy and a stream cut midway (real SDKs, fakes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from innertalk.application.ports import ModelRefusedError
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.breaker import BreakerState
from innertalk.presentation.reply_words import cut_off_note
from tests.fakes.providers import DEFAULT_TEXT, Behaviour
from tests.integration.router_chain_harness import (
    NAMES,
    REQUEST,
    Chain,
    collect,
    joined,
    recorded_backoffs,
    running_chain,
)

AUTH_COOLDOWN = 600.0


@pytest.fixture
async def chain(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Chain]:
    async with running_chain(monkeypatch) as chain:
        yield chain


@pytest.fixture
def backoffs() -> Iterator[list[float]]:
    with recorded_backoffs() as waits:
        yield waits


async def _alerts_delivered() -> None:
    """Let the alert tasks the router scheduled (it never waits for them) run."""
    await asyncio.sleep(0.01)


def _first(name: str) -> str:
    """LLM_PROVIDERS with ``name`` first, the others after it in the usual order."""
    return ",".join([name, *(other for other in NAMES if other != name)])


async def test_a_429_cools_the_primary_for_its_retry_after(
    chain: Chain, backoffs: list[float]
) -> None:
    """429 + Retry-After 7: failover at once; gemini gets 0 requests for exactly 7 s, then one."""
    chain.gemini.script(Behaviour.rate_limited("7"))

    reply = await chain.router.complete(REQUEST)

    assert reply.provider == "openai"
    assert backoffs == []
    assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}
    assert chain.router.breaker("gemini").open_remaining() == pytest.approx(7.0)

    chain.clock.advance(6.9)
    assert (await chain.router.complete(REQUEST)).provider == "openai"
    assert chain.sent() == {"gemini": 1, "openai": 2, "anthropic": 0}

    chain.clock.advance(0.2)
    assert (await chain.router.complete(REQUEST)).provider == "gemini"
    assert chain.sent() == {"gemini": 2, "openai": 2, "anthropic": 0}
    assert chain.router.breaker("gemini").state is BreakerState.CLOSED


async def test_each_429_cools_for_its_own_retry_after(chain: Chain) -> None:
    """Each 429 cools for its own Retry-After (7 s, then 2 s), or 30 s without one."""
    chain.gemini.script(
        Behaviour.rate_limited("7"), Behaviour.rate_limited("2"), Behaviour.rate_limited(None)
    )
    breaker = chain.router.breaker("gemini")

    await chain.router.complete(REQUEST)
    assert breaker.open_remaining() == pytest.approx(7.0)

    chain.clock.advance(7.1)
    await chain.router.complete(REQUEST)
    assert breaker.open_remaining() == pytest.approx(2.0)

    chain.clock.advance(2.1)
    await chain.router.complete(REQUEST)
    assert breaker.open_remaining() == pytest.approx(30.0)
    assert chain.sent() == {"gemini": 3, "openai": 3, "anthropic": 0}


async def test_a_rejected_key_leaves_the_provider_out_and_alerts_once(chain: Chain) -> None:
    """401: no retry, 0 requests for the 600 s cool-down, one admin alert per cool-down."""
    chain.gemini.default = Behaviour.auth_error(401)

    reply = await chain.router.complete(REQUEST)
    await chain.router.complete(REQUEST)
    chain.clock.advance(AUTH_COOLDOWN - 1)
    await chain.router.complete(REQUEST)
    await _alerts_delivered()

    assert reply.provider == "openai"
    assert chain.sent() == {"gemini": 1, "openai": 3, "anthropic": 0}
    assert chain.alerts == [("auth", "gemini")]
    assert chain.router.breaker("gemini").open_remaining() == pytest.approx(1.0)

    chain.clock.advance(1.1)
    await chain.router.complete(REQUEST)
    await _alerts_delivered()

    assert chain.sent() == {"gemini": 2, "openai": 4, "anthropic": 0}
    assert chain.alerts == [("auth", "gemini"), ("auth", "gemini")]


@pytest.mark.parametrize("name", NAMES)
async def test_a_context_overflow_retries_once_with_a_shorter_history(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """400 context length: one retry on the same provider with the older half of history cut."""
    async with running_chain(monkeypatch, LLM_PROVIDERS=_first(name)) as chain:
        chain.servers[name].script(Behaviour.context_overflow())

        reply = await chain.router.complete(REQUEST)

        assert (reply.text, reply.provider) == (DEFAULT_TEXT, name)
        assert chain.sent() == {other: 2 if other == name else 0 for other in NAMES}
        first, second = chain.turns(name, 0), chain.turns(name, 1)
        assert len(first) == len(REQUEST.history) + 1
        assert len(second) <= len(first) // 2 + 1
        assert second == first[-len(second) :]  # the newest turns and the message, in order
        assert second[-1] == ("user", REQUEST.message)
        assert chain.system(name, 1) == chain.system(name, 0) == REQUEST.system


async def test_a_second_overflow_moves_on_with_the_full_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second overflow moves on: openai gets the full history, gemini's breaker no verdict."""
    # the hedge is not what this is about: far away, a slow machine cannot start one
    async with running_chain(monkeypatch, LLM_HEDGE_AFTER="4") as chain:
        chain.gemini.script(Behaviour.context_overflow(), Behaviour.context_overflow())
        reply = await chain.router.complete(REQUEST)

        assert reply.provider == "openai"
        assert chain.sent() == {"gemini": 2, "openai": 1, "anthropic": 0}
        assert len(chain.turns("openai", 0)) == len(REQUEST.history) + 1
        assert chain.router.breaker("gemini").state is BreakerState.CLOSED


@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_content_policy_is_refused_without_asking_anyone_else(
    chain: Chain, streaming: bool
) -> None:
    """A content-policy block is ModelRefusedError after 1 request; nobody else is asked."""
    chain.gemini.script(Behaviour.content_policy())

    reply = collect(chain.router) if streaming else chain.router.complete(REQUEST)
    with pytest.raises(ModelRefusedError):
        await reply

    assert chain.sent() == {"gemini": 1, "openai": 0, "anthropic": 0}
    assert chain.router.breaker("gemini").state is BreakerState.CLOSED
    assert (await chain.router.complete(REQUEST)).provider == "gemini"


@pytest.mark.parametrize("name", NAMES)
async def test_a_stream_cut_midway_ends_with_the_note_and_no_repeat(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A stream cut midway shows its pieces and the cut-off note once; nobody is asked again."""
    async with running_chain(monkeypatch, LLM_PROVIDERS=_first(name)) as chain:
        chain.servers[name].script(Behaviour.cut_stream(after_pieces=2))

        chunks = await collect(chain.router)

        *shown, last = chunks
        note = cut_off_note(Language.EN)
        assert [chunk.text for chunk in shown] == ["It ", "sounds ", note]
        assert last.reply is not None
        assert last.reply.text == joined(chunks) == "It sounds " + note
        assert last.reply.provider == name
        assert chain.sent() == {other: int(other == name) for other in NAMES}


async def test_complete_fails_over_cleanly_when_the_stream_is_cut(chain: Chain) -> None:
    """complete() fails over on a cut stream: openai's whole answer, none of gemini's text."""
    chain.gemini.script(Behaviour.cut_stream(after_pieces=2))

    reply = await chain.router.complete(REQUEST)

    assert (reply.text, reply.provider) == (DEFAULT_TEXT, "openai")
    assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}
