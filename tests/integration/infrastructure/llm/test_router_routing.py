"""The router's choices per request: fast models, experiment variants, what it measures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina

from innertalk.domain.experiments import parse_experiment
from innertalk.domain.prompting import PROMPT_VARIANTS, Tier
from innertalk.infrastructure.llm.errors import ErrorKind
from tests.fakes.clock import FakeClock
from tests.fakes.llm import FakeProvider, chat_request, fail, metric, ok, router_over


@pytest.fixture(autouse=True)
def no_backoff_sleep() -> Iterator[None]:
    """Stamina backs off for 0 s in tests; the round limit stays the router's own."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


async def test_the_fast_tier_uses_the_fast_model(clock: FakeClock) -> None:
    """Tier.FAST goes to the provider's fast model; the reply and the metric say so."""
    a = FakeProvider("a", default_model="big", fast_model="small")
    before = metric("innertalk_llm_routing_total", provider="a", requested="fast", used="fast")
    reply = await router_over(a, clock=clock).complete(chat_request("thanks", tier=Tier.FAST))
    assert a.calls[0].model == "small"
    assert reply.model == "small"
    after = metric("innertalk_llm_routing_total", provider="a", requested="fast", used="fast")
    assert after == before + 1


async def test_the_fast_tier_without_a_fast_model_uses_the_default(clock: FakeClock) -> None:
    """A provider with no fast model answers fast requests with its default model."""
    a = FakeProvider("a", default_model="big")
    await router_over(a, clock=clock).complete(chat_request("hi", tier=Tier.FAST))
    assert a.calls[0].model == "big"


async def test_the_standard_tier_never_uses_the_fast_model(clock: FakeClock) -> None:
    """Ordinary messages get the default model even when a fast one exists."""
    a = FakeProvider("a", default_model="big", fast_model="small")
    await router_over(a, clock=clock).complete(chat_request())
    assert a.calls[0].model == "big"


async def test_the_fast_model_is_used_down_the_chain_too(clock: FakeClock) -> None:
    """After a failover, the next provider's fast model answers a fast request."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT), fast_model="a-small")
    b = FakeProvider("b", fast_model="b-small")
    reply = await router_over(a, b, clock=clock).complete(chat_request(tier=Tier.FAST))
    assert reply.model == "b-small"


EXPERIMENT = "control:50:b/b-large,lite:50:a/a-lite+brief"


def _ref_in(variant: str) -> str:
    experiment = parse_experiment(EXPERIMENT)
    assert experiment is not None
    return next(
        ref
        for ref in (f"user-{i}" for i in range(1000))
        if (chosen := experiment.assign(ref)) and chosen.name == variant
    )


async def test_the_variants_provider_and_model_go_first(clock: FakeClock) -> None:
    """A person in a variant is answered by its provider/model, and the reply names it."""
    a, b = FakeProvider("a"), FakeProvider("b")
    router = router_over(a, b, clock=clock, experiment=parse_experiment(EXPERIMENT))
    reply = await router.complete(chat_request(user_ref=_ref_in("lite")))
    assert (reply.provider, reply.model, reply.variant) == ("a", "a-lite", "lite")
    reply = await router.complete(chat_request(user_ref=_ref_in("control")))
    assert (reply.provider, reply.model, reply.variant) == ("b", "b-large", "control")


async def test_a_prompt_variant_extends_the_system_prompt(clock: FakeClock) -> None:
    """The variant's named instruction is appended to the system prompt."""
    a, b = FakeProvider("a"), FakeProvider("b")
    router = router_over(a, b, clock=clock, experiment=parse_experiment(EXPERIMENT))
    request = chat_request(user_ref=_ref_in("lite"))
    await router.complete(request)
    sent = a.calls[0].request.system
    assert sent.startswith(request.system)
    assert sent.endswith(PROMPT_VARIANTS["brief"][request.language])


async def test_the_variant_is_kept_when_a_fallback_answers(clock: FakeClock) -> None:
    """The reply keeps its assigned variant (intention to treat); provider says who answered."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT))
    b = FakeProvider("b")
    router = router_over(a, b, clock=clock, experiment=parse_experiment(EXPERIMENT))
    reply = await router.complete(chat_request(user_ref=_ref_in("lite")))
    assert (reply.provider, reply.variant) == ("b", "lite")
    assert len(b.calls) == 1


async def test_no_person_no_experiment(clock: FakeClock) -> None:
    """Requests without a user reference (e.g. summaries) follow the plain chain."""
    a, b = FakeProvider("a"), FakeProvider("b")
    router = router_over(a, b, clock=clock, experiment=parse_experiment(EXPERIMENT))
    reply = await router.complete(chat_request())
    assert (reply.provider, reply.variant) == ("a", "")


def test_an_experiment_on_a_provider_outside_the_chain_is_refused(clock: FakeClock) -> None:
    """A variant naming a provider that is not configured is a startup error."""
    with pytest.raises(ValueError, match="'b'"):
        router_over(FakeProvider("a"), clock=clock, experiment=parse_experiment(EXPERIMENT))


async def test_requests_and_tokens_are_counted(clock: FakeClock) -> None:
    """Each call is counted by provider/model/outcome, and the reply's tokens by type."""
    a = FakeProvider("a", fail(ErrorKind.TRANSIENT), default_model="m")
    b = FakeProvider("b", ok("one two three"), default_model="n")
    labels = {"provider": "b", "model": "n", "outcome": "ok"}
    failed = {"provider": "a", "model": "m", "outcome": "transient"}
    before = (
        metric("innertalk_llm_requests_total", **labels),
        metric("innertalk_llm_requests_total", **failed),
        metric("innertalk_llm_tokens_total", provider="b", type="output"),
        metric("innertalk_llm_fallbacks_total", reason="transient"),
    )
    await router_over(a, b, clock=clock).complete(chat_request())
    after = (
        metric("innertalk_llm_requests_total", **labels),
        metric("innertalk_llm_requests_total", **failed),
        metric("innertalk_llm_tokens_total", provider="b", type="output"),
        metric("innertalk_llm_fallbacks_total", reason="transient"),
    )
    assert [y - x for x, y in zip(before, after, strict=True)] == [1, 1, 3, 1]
    assert metric("innertalk_llm_first_token_seconds_count", provider="b", model="n") >= 1


async def test_breaker_state_is_exported(clock: FakeClock) -> None:
    """The breaker gauge reads 2 while open, 0 when closed."""
    router = router_over(FakeProvider("gauge-a"), clock=clock)
    assert metric("innertalk_llm_breaker_state", provider="gauge-a") == 0
    router.breaker("gauge-a").open_for(10)
    assert metric("innertalk_llm_breaker_state", provider="gauge-a") == 2
    assert router.breaker_states() == {"gauge-a": "open"}


async def test_closing_the_router_closes_every_provider(clock: FakeClock) -> None:
    """aclose() closes each provider's client."""
    a, b = FakeProvider("a"), FakeProvider("b")
    await router_over(a, b, clock=clock).aclose()
    assert a.closed
    assert b.closed
