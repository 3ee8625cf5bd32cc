"""The router's streams and hedges: no duplicated or silently cut text, slow calls hedged."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import stamina

from innertalk.application.ports import ModelRefusedError
from innertalk.domain.prompting import ModelChunk, ModelRequest
from innertalk.domain.users import Language
from innertalk.infrastructure.llm.breaker import BreakerPolicy, BreakerState
from innertalk.infrastructure.llm.errors import ErrorKind
from innertalk.infrastructure.llm.router import ModelRouter
from tests.fakes.clock import FakeClock
from tests.fakes.llm import (
    FakeProvider,
    Step,
    breaks,
    chat_request,
    cut_off_note,
    fail,
    hang,
    metric,
    ok,
    router_over,
)

HEDGE = 0.05


@pytest.fixture(autouse=True)
def no_backoff_sleep() -> Iterator[None]:
    """Stamina backs off for 0 s in tests; the round limit stays the router's own."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


async def _collect(router: ModelRouter, request: ModelRequest) -> list[ModelChunk]:
    return [chunk async for chunk in router.stream(request)]


def _joined(chunks: list[ModelChunk]) -> str:
    return "".join(chunk.text for chunk in chunks)


async def test_a_stream_ends_with_one_reply_equal_to_its_pieces(clock: FakeClock) -> None:
    """Text arrives in pieces; the last chunk's reply text is exactly the pieces joined."""
    a = FakeProvider("a", ok("one two three four five"))
    chunks = await _collect(router_over(a, clock=clock), chat_request())
    final = chunks[-1].reply
    assert final is not None
    assert all(chunk.reply is None for chunk in chunks[:-1])
    assert final.text == _joined(chunks) == "one two three four five"
    assert final.provider == "a"


async def test_a_stream_broken_midway_ends_with_a_short_note(clock: FakeClock) -> None:
    """Shown text is never repeated by a fallback: it ends with a note, and says so."""
    a = FakeProvider("a", breaks("The first half of"))
    b = FakeProvider("b", ok("A complete other answer"))
    chunks = await _collect(router_over(a, b, clock=clock), chat_request())
    final = chunks[-1].reply
    assert final is not None
    assert final.text == _joined(chunks) == "The first half of" + cut_off_note(Language.EN)
    assert final.provider == "a"
    assert final.usage.estimated
    assert b.calls == []


async def test_the_note_speaks_the_requests_language(clock: FakeClock) -> None:
    """A Russian conversation gets the Russian note."""
    a = FakeProvider("a", breaks("Мне жаль, что"))
    chunks = await _collect(router_over(a, clock=clock), chat_request(language=Language.RU))
    assert _joined(chunks).endswith(cut_off_note(Language.RU))


async def test_a_broken_stream_counts_against_the_breaker(clock: FakeClock) -> None:
    """A stream cut midway is a transient failure of that provider."""
    a = FakeProvider("a", breaks())
    router = router_over(a, clock=clock, breakers={"a": BreakerPolicy(1, 30)})
    await _collect(router, chat_request())
    assert router.breaker("a").state is BreakerState.OPEN


async def test_a_filter_stopping_a_stream_is_not_a_breaker_failure(clock: FakeClock) -> None:
    """Content policy midway ends the shown text with the note; the provider is not blamed."""
    a = FakeProvider("a", Step(text="Some words", error=ErrorKind.CONTENT_POLICY))
    router = router_over(a, clock=clock, breakers={"a": BreakerPolicy(1, 30)})
    chunks = await _collect(router, chat_request())
    assert _joined(chunks) == "Some words" + cut_off_note(Language.EN)
    assert router.breaker("a").state is BreakerState.CLOSED


async def test_complete_refuses_when_a_filter_stops_the_answer(clock: FakeClock) -> None:
    """complete() turns a mid-answer content-policy stop into ModelRefusedError, no failover."""
    a = FakeProvider("a", Step(text="Some words", error=ErrorKind.CONTENT_POLICY))
    b = FakeProvider("b")
    with pytest.raises(ModelRefusedError):
        await router_over(a, b, clock=clock).complete(chat_request())
    assert b.calls == []


async def test_a_stalled_stream_ends_with_the_note(clock: FakeClock) -> None:
    """No chunk for LLM_FIRST_TOKEN_TIMEOUT after the first: cut, noted, never hanging."""

    class Stalls(FakeProvider):
        async def stream(self, request, *, model=None):  # type: ignore[no-untyped-def, override]
            self.calls.append(None)  # type: ignore[arg-type]
            yield ModelChunk("Let me think ")
            await asyncio.Event().wait()
            yield ModelChunk("never")  # pragma: no cover

    a = Stalls("a")
    chunks = await _collect(router_over(a, clock=clock, first_token_timeout=0.05), chat_request())
    assert _joined(chunks) == "Let me think " + cut_off_note(Language.EN)


async def test_the_deadline_mid_stream_ends_with_the_note(clock: FakeClock) -> None:
    """LLM_TOTAL_TIMEOUT passing while text streams cuts it there, with the note."""
    a = FakeProvider("a", ok("one two three four five six", gap=0.04))
    router = router_over(a, clock=clock, total_timeout=0.1)
    chunks = await _collect(router, chat_request())
    text = _joined(chunks)
    assert text.startswith("one ")
    assert text.endswith(cut_off_note(Language.EN))
    assert "six" not in text
    assert a.interrupted == 1


async def test_the_deadline_mid_answer_sends_complete_offline(clock: FakeClock) -> None:
    """complete() past LLM_TOTAL_TIMEOUT answers offline; the slow call is cancelled."""
    a = FakeProvider("a", ok("one two three four five six", gap=0.04))
    reply = await router_over(a, clock=clock, total_timeout=0.1).complete(chat_request())
    assert reply.provider == "offline"
    assert a.interrupted == 1


async def test_complete_fails_over_when_a_stream_breaks(clock: FakeClock) -> None:
    """complete() has shown nothing yet, so a broken call is simply replaced by the next one."""
    a = FakeProvider("a", breaks("half"))
    b = FakeProvider("b", ok("whole answer"))
    reply = await router_over(a, b, clock=clock).complete(chat_request())
    assert (reply.text, reply.provider) == ("whole answer", "b")


async def test_streams_fall_back_to_the_offline_responder(clock: FakeClock) -> None:
    """When every provider fails before any text, the offline reply streams instead."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    chunks = await _collect(router_over(a, clock=clock), chat_request())
    final = chunks[-1].reply
    assert final is not None
    assert final.provider == "offline"
    assert final.text == _joined(chunks) != ""


async def test_stopping_a_stream_early_closes_the_providers_stream(clock: FakeClock) -> None:
    """A reader that stops early cancels the call: its stream closes and a probe is freed."""
    a = FakeProvider("a", ok("many words in this answer", gap=0.05))
    router = router_over(a, clock=clock)
    router.breaker("a").open_for(1)
    clock.advance(1)  # half-open: this call is the single probe
    stream = router.stream(chat_request())
    first = await anext(stream)
    assert first.text == "many "
    await stream.aclose()  # type: ignore[attr-defined]
    assert a.interrupted == 1
    assert router.breaker("a").state is BreakerState.HALF_OPEN
    assert router.breaker("a").try_acquire() is not None


async def test_a_hung_provider_is_hedged_and_the_hedge_wins(clock: FakeClock) -> None:
    """No first token after LLM_HEDGE_AFTER: the next provider starts, wins, the first closes."""
    a, b = FakeProvider("a", hang()), FakeProvider("b", ok("from b"))
    started = metric("innertalk_llm_hedges_started_total", provider="b")
    won = metric("innertalk_llm_hedges_won_total", provider="b")
    router = router_over(a, b, clock=clock, hedge_after=HEDGE, first_token_timeout=5.0)
    chunks = await _collect(router, chat_request())
    assert _joined(chunks) == "from b"
    assert a.interrupted == 1
    assert metric("innertalk_llm_hedges_started_total", provider="b") == started + 1
    assert metric("innertalk_llm_hedges_won_total", provider="b") == won + 1


async def test_a_provider_that_loses_a_hedge_counts_as_failed(clock: FakeClock) -> None:
    """Repeatedly too slow opens the breaker, so later replies skip it without waiting."""
    a, b = FakeProvider("a", hang()), FakeProvider("b", ok("from b"))
    router = router_over(
        a, b, clock=clock, hedge_after=HEDGE, breakers={"a": BreakerPolicy(2, 30)}
    )
    for _ in range(2):
        await router.complete(chat_request())
    assert router.breaker("a").state is BreakerState.OPEN
    await router.complete(chat_request())
    assert len(a.calls) == 2


async def test_the_hedged_provider_can_still_win(clock: FakeClock) -> None:
    """If the slow first call speaks first after all, the hedge is cancelled, not blamed."""
    a = FakeProvider("a", ok("slow but first", delay=3 * HEDGE))
    b = FakeProvider("b", hang())
    won = metric("innertalk_llm_hedges_won_total", provider="b")
    router = router_over(
        a, b, clock=clock, hedge_after=HEDGE, breakers={"b": BreakerPolicy(1, 30)}
    )
    reply = await router.complete(chat_request())
    assert reply.provider == "a"
    assert len(b.calls) == 1
    assert b.interrupted == 1
    assert router.breaker("b").state is BreakerState.CLOSED
    assert metric("innertalk_llm_hedges_won_total", provider="b") == won


async def test_no_hedge_before_the_hedge_delay(clock: FakeClock) -> None:
    """A provider that answers within LLM_HEDGE_AFTER never causes a second call."""
    a, b = FakeProvider("a", ok("quick")), FakeProvider("b")
    await router_over(a, b, clock=clock, hedge_after=1.0).complete(chat_request())
    assert b.calls == []


async def test_hedging_off_waits_for_the_slow_provider(clock: FakeClock) -> None:
    """LLM_HEDGE_AFTER=0 disables hedging: a slow answer is awaited."""
    a = FakeProvider("a", ok("slow", delay=2 * HEDGE))
    b = FakeProvider("b")
    reply = await router_over(a, b, clock=clock, hedge_after=0).complete(chat_request())
    assert reply.provider == "a"
    assert b.calls == []


async def test_no_hedge_when_no_other_provider_is_healthy(clock: FakeClock) -> None:
    """An open breaker is not hedged to; the slow provider is awaited."""
    a = FakeProvider("a", ok("slow", delay=2 * HEDGE))
    b = FakeProvider("b")
    router = router_over(a, b, clock=clock, hedge_after=HEDGE)
    router.breaker("b").open_for(60)
    assert (await router.complete(chat_request())).provider == "a"
    assert b.calls == []


async def test_a_hedge_failing_leaves_the_first_call_running(clock: FakeClock) -> None:
    """The hedge's error is handled like any other; the slower first call still answers."""
    a = FakeProvider("a", ok("patience pays", delay=3 * HEDGE))
    b = FakeProvider("b", fail(ErrorKind.TRANSIENT))
    router = router_over(a, b, clock=clock, hedge_after=HEDGE)
    chunks = await _collect(router, chat_request())
    assert _joined(chunks) == "patience pays"
    assert len(b.calls) == 1
