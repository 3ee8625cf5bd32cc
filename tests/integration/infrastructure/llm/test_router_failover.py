"""The router's failover: breakers, each error class's one reaction, rounds and backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
import stamina
from structlog.testing import capture_logs

from innertalk.application.ports import ModelRefusedError
from innertalk.infrastructure.llm.breaker import BreakerPolicy, BreakerState
from innertalk.infrastructure.llm.errors import ErrorKind
from tests.fakes.clock import FakeClock
from tests.fakes.llm import FakeProvider, chat_request, fail, hang, metric, ok, router_over


@pytest.fixture(autouse=True)
def no_backoff_sleep() -> Iterator[None]:
    """Stamina backs off for 0 s in tests; the round limit stays the router's own."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def retries() -> Iterator[list[float]]:
    """The backoffs stamina scheduled (one per extra round)."""
    scheduled: list[float] = []
    stamina.instrumentation.set_on_retry_hooks([lambda details: scheduled.append(1.0)])
    yield scheduled
    stamina.instrumentation.set_on_retry_hooks(None)


async def test_the_first_healthy_provider_answers(clock: FakeClock) -> None:
    """With everything healthy, only the first provider is called."""
    a, b = FakeProvider("a", ok("from a")), FakeProvider("b")
    reply = await router_over(a, b, clock=clock).complete(chat_request())
    assert (reply.text, reply.provider, reply.model) == ("from a", "a", "a-large")
    assert (len(a.calls), len(b.calls)) == (1, 0)


async def test_a_provider_with_an_open_breaker_is_skipped_without_a_call(
    clock: FakeClock, retries: list[float]
) -> None:
    """An open breaker costs no call and no delay: the next provider answers at once."""
    a, b = FakeProvider("a"), FakeProvider("b", ok("from b"))
    router = router_over(a, b, clock=clock)
    router.breaker("a").open_for(60)
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await router.complete(chat_request())
    assert reply.provider == "b"
    assert a.calls == []
    assert loop.time() - started < 0.25
    assert clock.slept == []
    assert retries == []


async def test_a_transient_error_fails_over_at_once(
    clock: FakeClock, retries: list[float]
) -> None:
    """A 5xx counts against the breaker and the next provider is called with no backoff."""
    a, b = FakeProvider("a", fail(ErrorKind.TRANSIENT)), FakeProvider("b", ok("from b"))
    router = router_over(a, b, clock=clock, breakers={"a": BreakerPolicy(1, 30)})
    reply = await router.complete(chat_request())
    assert reply.provider == "b"
    assert retries == []
    assert router.breaker("a").state is BreakerState.OPEN


async def test_backoff_happens_only_when_no_provider_is_healthy(
    clock: FakeClock, retries: list[float]
) -> None:
    """Every provider fails in round 1 → one backoff → round 2 → the offline responder."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    b = FakeProvider("b", fail(ErrorKind.TRANSIENT))
    reply = await router_over(a, b, clock=clock, max_rounds=2).complete(chat_request())
    assert reply.provider == "offline"
    assert (len(a.calls), len(b.calls)) == (2, 2)
    assert len(retries) == 1


async def test_a_second_round_can_succeed(clock: FakeClock) -> None:
    """A provider that recovers by the next round answers instead of the offline responder."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT), ok("second time lucky"))
    reply = await router_over(a, clock=clock, max_rounds=2).complete(chat_request())
    assert (reply.provider, reply.text) == ("a", "second time lucky")


async def test_rounds_are_bounded_by_max_rounds(clock: FakeClock) -> None:
    """LLM_MAX_ROUNDS passes over the chain, never more."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    router = router_over(a, clock=clock, max_rounds=3, breakers={"a": BreakerPolicy(10, 30)})
    await router.complete(chat_request())
    assert len(a.calls) == 3


async def test_a_rate_limit_opens_the_breaker_for_retry_after(clock: FakeClock) -> None:
    """429 + Retry-After opens that provider's breaker for that long and fails over."""
    a = FakeProvider("a", fail(ErrorKind.RATE_LIMITED, retry_after=7.0))
    b = FakeProvider("b", ok("from b"))
    router = router_over(a, b, clock=clock)
    assert (await router.complete(chat_request())).provider == "b"
    assert router.breaker("a").open_remaining() == pytest.approx(7.0)
    await router.complete(chat_request())
    assert len(a.calls) == 1
    clock.advance(7.0)
    await router.complete(chat_request())
    assert len(a.calls) == 2


async def test_a_rate_limit_without_retry_after_uses_the_cool_down(clock: FakeClock) -> None:
    """Without Retry-After, a 429 opens the breaker for the provider's cool-down."""
    a, b = FakeProvider("a", fail(ErrorKind.RATE_LIMITED)), FakeProvider("b")
    router = router_over(a, b, clock=clock, breakers={"a": BreakerPolicy(3, 30)})
    await router.complete(chat_request())
    assert router.breaker("a").open_remaining() == pytest.approx(30.0)


async def test_backoff_waits_for_the_current_errors_retry_after(clock: FakeClock) -> None:
    """The pause before round 2 is round 1's last error's Retry-After."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    b = FakeProvider("b", fail(ErrorKind.RATE_LIMITED, retry_after=1.5))
    with capture_logs() as logs:
        await router_over(a, b, clock=clock, backoff_max=5.0).complete(chat_request())
    assert [log["seconds"] for log in logs if log["event"] == "llm.backoff"] == [1.5]


async def test_backoff_never_reuses_an_earlier_errors_retry_after(clock: FakeClock) -> None:
    """Round 2 failing with a 5xx backs off exponentially, not by round 1's Retry-After."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    b = FakeProvider("b", fail(ErrorKind.RATE_LIMITED, retry_after=1.5))
    router = router_over(a, b, clock=clock, max_rounds=3, backoff_max=5.0)
    with capture_logs() as logs:
        await router.complete(chat_request())
    backoffs = [log for log in logs if log["event"] == "llm.backoff"]
    assert [(log["source"], log["seconds"]) for log in backoffs] == [
        ("retry_after", 1.5),
        ("exponential", 0.0),
    ]


async def test_a_retry_after_beyond_the_backoff_limit_goes_offline_at_once(
    clock: FakeClock, retries: list[float]
) -> None:
    """Waiting 30 s for a provider is worse than the offline responder answering now."""
    a = FakeProvider("a", fail(ErrorKind.RATE_LIMITED, retry_after=30.0))
    reply = await router_over(a, clock=clock, backoff_max=2.0).complete(chat_request())
    assert reply.provider == "offline"
    assert len(a.calls) == 1
    assert retries == []


async def test_context_overflow_halves_the_history_and_retries_once(clock: FakeClock) -> None:
    """Overflow → same provider again with the newer half of the history (starting with the
    person) and the same system prompt."""
    a = FakeProvider("a", fail(ErrorKind.CONTEXT_OVERFLOW), ok("fits now"))
    request = chat_request(history=6)
    reply = await router_over(a, clock=clock).complete(request)
    assert reply.text == "fits now"
    retried = a.calls[1].request
    assert retried.history == request.history[4:]
    assert retried.history[0].role.value == "user"
    assert (retried.system, retried.message) == (request.system, request.message)


async def test_context_overflow_is_retried_only_once(clock: FakeClock) -> None:
    """A second overflow fails over to the next provider; the breaker is not tripped."""
    a = FakeProvider("a", fail(ErrorKind.CONTEXT_OVERFLOW))
    b = FakeProvider("b", ok("from b"))
    router = router_over(a, b, clock=clock, breakers={"a": BreakerPolicy(1, 30)})
    reply = await router.complete(chat_request(history=4))
    assert reply.provider == "b"
    assert len(a.calls) == 2
    assert router.breaker("a").state is BreakerState.CLOSED


async def test_context_overflow_with_no_history_fails_over(clock: FakeClock) -> None:
    """With no history to drop, a retry cannot help: the next provider is asked."""
    a, b = FakeProvider("a", fail(ErrorKind.CONTEXT_OVERFLOW)), FakeProvider("b")
    await router_over(a, b, clock=clock).complete(chat_request(history=0))
    assert (len(a.calls), len(b.calls)) == (1, 1)


async def test_an_auth_error_disables_the_provider_and_alerts_admins(clock: FakeClock) -> None:
    """401/403 → no retry, left out for LLM_AUTH_COOLDOWN, one content-free admin alert."""
    alerts: list[tuple[str, str]] = []

    async def alert(kind: str, provider: str) -> None:
        alerts.append((kind, provider))

    a, b = FakeProvider("a", fail(ErrorKind.AUTH)), FakeProvider("b", ok("from b"))
    router = router_over(a, b, clock=clock, alert=alert, auth_cooldown=600.0)
    assert (await router.complete(chat_request())).provider == "b"
    assert router.breaker("a").open_remaining() == pytest.approx(600.0)
    await router.complete(chat_request())
    await router.aclose()
    assert len(a.calls) == 1
    assert alerts == [("auth", "a")]


async def test_a_failing_alert_does_not_fail_the_reply(clock: FakeClock) -> None:
    """An alert channel that raises is logged; the person still gets an answer."""

    async def broken_alert(kind: str, provider: str) -> None:
        raise ConnectionError

    a, b = FakeProvider("a", fail(ErrorKind.AUTH)), FakeProvider("b")
    router = router_over(a, b, clock=clock, alert=broken_alert)
    assert (await router.complete(chat_request())).provider == "b"
    await router.aclose()


@pytest.mark.parametrize("kind", [ErrorKind.BAD_REQUEST, ErrorKind.CONTENT_POLICY])
async def test_refusals_raise_without_retry_or_breaker_trip(
    clock: FakeClock, kind: ErrorKind
) -> None:
    """Bad request / content policy: ModelRefusedError, no other provider, breaker untouched."""
    a, b = FakeProvider("a", fail(kind)), FakeProvider("b")
    router = router_over(a, b, clock=clock, breakers={"a": BreakerPolicy(1, 30)})
    for _ in range(3):
        with pytest.raises(ModelRefusedError):
            await router.complete(chat_request())
    assert (len(a.calls), len(b.calls)) == (3, 0)
    assert router.breaker("a").state is BreakerState.CLOSED


async def test_a_missing_first_token_is_a_transient_failure(clock: FakeClock) -> None:
    """No first token within LLM_FIRST_TOKEN_TIMEOUT: breaker failure, next provider."""
    a, b = FakeProvider("a", hang()), FakeProvider("b", ok("from b"))
    router = router_over(
        a, b, clock=clock, first_token_timeout=0.05, breakers={"a": BreakerPolicy(1, 30)}
    )
    reply = await router.complete(chat_request())
    assert reply.provider == "b"
    assert a.interrupted == 1
    assert router.breaker("a").state is BreakerState.OPEN


async def test_the_total_deadline_ends_in_the_offline_reply(clock: FakeClock) -> None:
    """When LLM_TOTAL_TIMEOUT passes, calls are cancelled and the offline responder answers."""
    a = FakeProvider("a", hang())
    router = router_over(a, clock=clock, first_token_timeout=5.0, total_timeout=0.1)
    before = metric("innertalk_llm_fallbacks_total", reason="deadline")
    reply = await router.complete(chat_request())
    assert reply.provider == "offline"
    assert a.interrupted == 1
    assert metric("innertalk_llm_fallbacks_total", reason="deadline") == before + 1
    assert router.breaker("a").try_acquire() is not None


async def test_with_no_provider_the_offline_responder_answers(clock: FakeClock) -> None:
    """An empty chain (no keys) still answers, offline."""
    reply = await router_over(clock=clock).complete(chat_request("Hello"))
    assert reply.provider == "offline"
    assert reply.text


async def test_an_adapter_bug_counts_as_transient(clock: FakeClock) -> None:
    """An unexpected exception from a provider fails over like a 5xx instead of escaping."""

    class Buggy(FakeProvider):
        async def stream(self, request, *, model=None):  # type: ignore[no-untyped-def, override]
            self.calls.append(None)  # type: ignore[arg-type]
            raise KeyError("oops")
            yield  # pragma: no cover

    a, b = Buggy("a"), FakeProvider("b", ok("from b"))
    assert (await router_over(a, b, clock=clock).complete(chat_request())).provider == "b"


async def test_an_empty_answer_is_a_refusal(clock: FakeClock) -> None:
    """A provider answering nothing at all is treated as content policy, not an outage."""
    a = FakeProvider("a", ok(""))
    with pytest.raises(ModelRefusedError):
        await router_over(a, clock=clock).complete(chat_request())


@pytest.mark.parametrize(
    ("a_script", "b_script", "calls"),
    [
        ([fail(ErrorKind.TRANSIENT)], [fail(ErrorKind.TRANSIENT)], (2, 2)),
        ([fail(ErrorKind.RATE_LIMITED, retry_after=30)], [fail(ErrorKind.AUTH)], (1, 1)),
        ([fail(ErrorKind.AUTH)], [ok()], (1, 1)),
        ([fail(ErrorKind.BAD_REQUEST)], [ok()], (1, 0)),
        ([fail(ErrorKind.CONTEXT_OVERFLOW), ok()], [ok()], (2, 0)),
        ([fail(ErrorKind.CONTEXT_OVERFLOW)], [fail(ErrorKind.TRANSIENT)], (2, 2)),
        ([hang()], [ok()], (1, 1)),
        ([ok()], [ok()], (1, 0)),
    ],
)
async def test_calls_per_message_equal_the_configured_attempts(
    clock: FakeClock,
    a_script: list,  # type: ignore[type-arg]
    b_script: list,  # type: ignore[type-arg]
    calls: tuple[int, int],
) -> None:
    """Each fault costs exactly the documented number of requests, never more."""
    a, b = FakeProvider("a", *a_script), FakeProvider("b", *b_script)
    router = router_over(a, b, clock=clock, max_rounds=2, first_token_timeout=0.05)
    with contextlib.suppress(ModelRefusedError):
        await router.complete(chat_request(history=4))
    assert (len(a.calls), len(b.calls)) == calls


async def test_admins_hear_when_failures_trip_a_breaker_and_when_all_are_down(
    clock: FakeClock,
) -> None:
    """A breaker opened by failures and an offline reply despite providers each raise an alert."""
    alerts: list[tuple[str, str]] = []

    async def alert(kind: str, provider: str) -> None:
        alerts.append((kind, provider))

    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    router = router_over(a, clock=clock, alert=alert, breakers={"a": BreakerPolicy(1, 30)})
    reply = await router.complete(chat_request())
    await router.aclose()
    assert reply.provider == "offline"
    assert ("breaker_open", "a") in alerts
    assert ("all_providers_down", "") in alerts
