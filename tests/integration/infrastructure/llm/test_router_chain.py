"""The whole model chain — ``bootstrap.build_model``, the router, the real SDK adapters —
against loopback fake servers: happy paths, transient failover, hedging, breakers, all down.

Every test counts the requests each fake received: a user message costs exactly the
configured attempts (one request per provider per round), never more.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from innertalk.domain.prompting import ModelReply, TokenUsage
from innertalk.infrastructure.llm.breaker import BreakerPolicy, BreakerState
from tests.fakes.providers import DEFAULT_TEXT, Behaviour
from tests.integration.router_chain_harness import (
    HEDGE_AFTER,
    MAX_ROUNDS,
    NAMES,
    REQUEST,
    Chain,
    collect,
    joined,
    recorded_backoffs,
    running_chain,
)

# These bounds separate the behaviours (no backoff sleep before failing over; the hedge fires at
# LLM_HEDGE_AFTER, long before the 1 s first-token timeout) with room for a loaded CI machine.
# The precise figures (a few ms of failover work; hedge + fallback p99 within 50 ms) are
# measured by `python -m bench.llm_failover` and recorded in docs/benchmarks.md.
FAILOVER_BUDGET = 0.75
"""What failing over may add to the fallback's own latency: no sleep (``backoffs == []``
proves that on the injected clock), a few ms of work — with room for a loaded machine."""
HEDGE_SLACK = 0.4
"""What a hedged reply may take beyond the hedge delay and the fallback's own latency."""
FALLBACK_LATENCY = 0.05


@pytest.fixture
async def chain(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Chain]:
    async with running_chain(monkeypatch) as chain:
        yield chain


@pytest.fixture
def backoffs() -> Iterator[list[float]]:
    with recorded_backoffs() as waits:
        yield waits


def _elapsed_since(started: float) -> float:
    return asyncio.get_running_loop().time() - started


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _answer(chain: Chain, *, streaming: bool) -> ModelReply:
    """The router's reply to ``REQUEST``: streamed (its deltas must join into the final
    text) or completed."""
    if not streaming:
        return await chain.router.complete(REQUEST)
    chunks = await collect(chain.router)
    reply = chunks[-1].reply
    assert reply is not None
    assert joined(chunks) == reply.text
    return reply


async def test_the_chain_is_built_as_configured(chain: Chain) -> None:
    """build_model makes gemini → openai → anthropic with the built-in breaker policies."""
    assert chain.router.provider_names == list(NAMES)
    assert chain.router.breaker("gemini").policy == BreakerPolicy(3, 30.0)
    assert chain.router.breaker("openai").policy == BreakerPolicy(5, 60.0)
    assert chain.router.policy.hedge_after == HEDGE_AFTER


async def test_a_healthy_primary_answers_alone(chain: Chain) -> None:
    """With gemini healthy, complete() costs one request to gemini and none elsewhere."""
    reply = await chain.router.complete(REQUEST)

    assert (reply.text, reply.provider) == (DEFAULT_TEXT, "gemini")
    assert reply.usage == TokenUsage(42, 17)
    assert chain.sent() == {"gemini": 1, "openai": 0, "anthropic": 0}


@pytest.mark.parametrize("name", NAMES)
async def test_streaming_happy_path_through_each_sdk(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """stream() through each SDK yields deltas whose join is the final reply, from 1 request."""
    order = [name, *(other for other in NAMES if other != name)]
    async with running_chain(monkeypatch, LLM_PROVIDERS=",".join(order)) as chain:
        chunks = await collect(chain.router)

        *deltas, last = chunks
        assert len(deltas) > 1
        assert all(chunk.text and chunk.reply is None for chunk in deltas)
        assert last.reply is not None
        assert last.reply.text == joined(chunks) == DEFAULT_TEXT
        assert (last.reply.provider, last.reply.usage) == (name, TokenUsage(42, 17))
        assert chain.sent() == {other: int(other == name) for other in NAMES}
        assert chain.servers[name].requests[0].stream


@pytest.mark.parametrize("status", [500, 503])
@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_a_5xx_fails_over_at_once(
    monkeypatch: pytest.MonkeyPatch, backoffs: list[float], status: int, streaming: bool
) -> None:
    """A primary 5xx fails over to openai at once: no backoff, < 100 ms added to its latency."""
    # the hedge is not what this is about: far away, a loaded machine cannot start one (a
    # CI run once had anthropic's hedge win while openai's first token was late)
    async with running_chain(monkeypatch, LLM_HEDGE_AFTER="4") as chain:
        chain.gemini.script(Behaviour.server_error(status))
        chain.openai.script(Behaviour.ok(latency=FALLBACK_LATENCY))

        started = _now()
        reply = await _answer(chain, streaming=streaming)
        elapsed = _elapsed_since(started)

        assert (reply.text, reply.provider) == (DEFAULT_TEXT, "openai")
        assert elapsed < FALLBACK_LATENCY + FAILOVER_BUDGET, elapsed
        assert backoffs == []
        assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}
        assert chain.router.breaker("gemini").state is BreakerState.CLOSED  # 1 failure of 3


async def test_the_breaker_opens_after_three_failures_and_stops_requests(chain: Chain) -> None:
    """Gemini's 3rd failure opens it: 0 requests for 30 s, then one probe closes it."""
    chain.gemini.default = Behaviour.server_error(500)
    for message in range(1, 4):
        assert (await chain.router.complete(REQUEST)).provider == "openai"
        assert chain.sent() == {"gemini": message, "openai": message, "anthropic": 0}
    assert chain.router.breaker("gemini").state is BreakerState.OPEN

    assert (await chain.router.complete(REQUEST)).provider == "openai"
    assert chain.sent() == {"gemini": 3, "openai": 4, "anthropic": 0}

    chain.clock.advance(29.9)
    await chain.router.complete(REQUEST)
    assert chain.sent()["gemini"] == 3

    chain.clock.advance(0.2)
    chain.gemini.default = Behaviour.ok()
    assert (await chain.router.complete(REQUEST)).provider == "gemini"
    assert chain.sent() == {"gemini": 4, "openai": 5, "anthropic": 0}
    assert chain.router.breaker("gemini").state is BreakerState.CLOSED


async def test_a_failed_probe_reopens_the_breaker_at_once(chain: Chain) -> None:
    """After the cool-down one failing probe (1 request, not 3) re-opens gemini's breaker."""
    chain.gemini.default = Behaviour.server_error(503)
    for _ in range(3):
        await chain.router.complete(REQUEST)
    chain.clock.advance(30.1)

    await chain.router.complete(REQUEST)
    await chain.router.complete(REQUEST)

    assert chain.sent() == {"gemini": 4, "openai": 5, "anthropic": 0}
    assert chain.router.breaker("gemini").open_remaining() == pytest.approx(30.0)


@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_a_hung_primary_is_hedged_and_its_connection_closed(
    chain: Chain, streaming: bool
) -> None:
    """A hung gemini is hedged: openai wins soon after the hedge delay; gemini's socket closes."""
    chain.openai.default = Behaviour.ok(latency=FALLBACK_LATENCY)
    started = _now()
    await chain.router.providers[1].complete(REQUEST)
    fallback = _elapsed_since(started)
    chain.openai.requests.clear()
    chain.gemini.script(Behaviour.hang())

    started = _now()
    reply = await _answer(chain, streaming=streaming)
    elapsed = _elapsed_since(started)

    assert (reply.text, reply.provider) == (DEFAULT_TEXT, "openai")
    assert HEDGE_AFTER <= elapsed <= HEDGE_AFTER + fallback + HEDGE_SLACK, (elapsed, fallback)
    assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}
    for _ in range(50):  # the close reaches the server's side within a few loop turns
        if chain.gemini.open_connections() == 0:
            break
        await asyncio.sleep(0.01)
    assert chain.gemini.open_connections() == 0


async def test_a_hung_primary_that_keeps_hanging_opens_its_breaker(chain: Chain) -> None:
    """Each lost hedge is a failure: after 3 hung replies gemini costs 0 requests, no wait."""
    chain.gemini.default = Behaviour.hang()
    for _ in range(3):
        await chain.router.complete(REQUEST)
    assert chain.router.breaker("gemini").state is BreakerState.OPEN

    started = _now()
    reply = await chain.router.complete(REQUEST)

    assert reply.provider == "openai"
    assert _elapsed_since(started) < HEDGE_AFTER / 2
    assert chain.sent() == {"gemini": 3, "openai": 4, "anthropic": 0}


async def test_a_slow_first_token_is_hedged_too(chain: Chain) -> None:
    """Headers at once but no first token within the hedge delay: openai's answer is kept."""
    chain.gemini.script(Behaviour.ok("too late", first_token_delay=0.6))

    chunks = await collect(chain.router)

    assert chunks[-1].reply is not None
    assert (chunks[-1].reply.provider, joined(chunks)) == ("openai", DEFAULT_TEXT)
    assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}


@pytest.mark.parametrize("streaming", [False, True], ids=["complete", "stream"])
async def test_all_providers_down_answers_offline_within_two_seconds(
    chain: Chain, backoffs: list[float], streaming: bool
) -> None:
    """Every provider 503: two rounds (one backoff), 2 requests each, offline reply < 2 s."""
    for server in chain.servers.values():
        server.default = Behaviour.server_error(503)

    started = _now()
    reply = await _answer(chain, streaming=streaming)
    elapsed = _elapsed_since(started)

    assert reply.provider == "offline"
    assert reply.text
    assert elapsed < 2.0, elapsed
    assert len(backoffs) == MAX_ROUNDS - 1
    assert chain.sent() == dict.fromkeys(NAMES, MAX_ROUNDS)


async def test_all_providers_unreachable_answers_offline_at_once(chain: Chain) -> None:
    """Every server gone (connection refused): the offline responder answers within 2 s."""
    for server in chain.servers.values():
        await server.stop()

    started = _now()
    reply = await chain.router.complete(REQUEST)

    assert reply.provider == "offline"
    assert _elapsed_since(started) < 2.0


async def test_with_every_breaker_open_offline_answers_without_requests(chain: Chain) -> None:
    """Once every breaker is open a message costs 0 requests and no backoff."""
    for name in NAMES:
        chain.router.breaker(name).open_for(60)

    started = _now()
    reply = await chain.router.complete(REQUEST)

    assert reply.provider == "offline"
    assert _elapsed_since(started) < 0.05
    assert chain.sent() == dict.fromkeys(NAMES, 0)


async def test_a_malformed_reply_fails_over_like_an_outage(chain: Chain) -> None:
    """A 200 whose stream does not parse is transient: failover, one request each."""
    chain.gemini.script(Behaviour.malformed())

    reply = await chain.router.complete(REQUEST)

    assert (reply.text, reply.provider) == (DEFAULT_TEXT, "openai")
    assert chain.sent() == {"gemini": 1, "openai": 1, "anthropic": 0}
