"""Circuit-breaker "open" flags shared by instances through Redis, read from a local mirror,
failing open to each instance's own state."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import stamina
from prometheus_client import REGISTRY

from innertalk.bootstrap import build_model
from innertalk.config import load_settings
from innertalk.infrastructure.llm.breaker import BreakerState
from innertalk.infrastructure.llm.errors import ErrorKind
from innertalk.infrastructure.llm.providers.provider import Provider
from innertalk.infrastructure.llm.redis_breaker import RedisBreakerStateStore
from innertalk.infrastructure.llm.router import ModelRouter
from innertalk.infrastructure.redis.connection import connect_redis
from tests.fakes.clock import FakeClock
from tests.fakes.llm import FakeProvider, chat_request, fail

Stores = Callable[[str], RedisBreakerStateStore]


@pytest.fixture
async def store_on(clock: FakeClock) -> AsyncIterator[Stores]:
    """``store_on(url)``: a breaker store on a client of its own (another process's)."""
    made: list[RedisBreakerStateStore] = []

    def build(url: str) -> RedisBreakerStateStore:
        prefix = f"test-breaker-{uuid.uuid4().hex[:8]}" if not made else made[0]._prefix
        store = RedisBreakerStateStore(connect_redis(url), clock, prefix=prefix)
        made.append(store)
        return store

    yield build
    for store in made:
        await store.aclose()
        await store._redis.aclose()


@pytest.fixture
def chain_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("LLM_", "GEMINI_", "OPENAI_", "ANTHROPIC_", "OLLAMA_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLM_PROVIDERS", "gemini")
    monkeypatch.setenv("LLM_BREAKERS", "gemini=2/30")


def router(provider: FakeProvider, store: RedisBreakerStateStore, clock: FakeClock) -> ModelRouter:
    """A router over ``provider`` built by the composition root with the shared store."""

    def factory(name: str) -> Provider:
        return provider

    return build_model(load_settings(None), clock, factory=factory, breaker_store=store)


@pytest.mark.usefixtures("chain_settings")
async def test_a_breaker_opened_on_one_instance_is_open_on_the_other(
    redis_url: str, store_on: Stores, clock: FakeClock
) -> None:
    """Two failures open gemini's breaker on A; after B's refresh, B skips gemini too
    without calling it, until the cool-down has passed."""
    first, second = store_on(redis_url), store_on(redis_url)
    failing, healthy = FakeProvider("gemini", fail(ErrorKind.TRANSIENT)), FakeProvider("gemini")
    a, b = router(failing, first, clock), router(healthy, second, clock)
    with stamina.set_testing(True, attempts=100, cap=True):
        await a.complete(chat_request())
    assert a.breaker("gemini").state is BreakerState.OPEN
    await first.flush()
    assert b.breaker("gemini").state is BreakerState.CLOSED  # not refreshed yet
    await second.refresh()
    assert b.breaker("gemini").state is BreakerState.OPEN
    assert 29 < b.breaker("gemini").open_remaining() <= 30
    reply = await b.complete(chat_request())
    assert (reply.provider, healthy.calls) == ("offline", [])


async def test_an_opening_is_never_shortened_by_another_instance(
    redis_url: str, store_on: Stores, clock: FakeClock
) -> None:
    """A shorter opening written later (a 429's short Retry-After) keeps the longer one."""
    first, second, third = store_on(redis_url), store_on(redis_url), store_on(redis_url)
    first.open_for("openai", 120)
    await first.flush()
    second.open_for("openai", 5)
    await second.flush()
    third.open_remaining("openai")  # the mirror follows the providers it was asked about
    await third.refresh()
    assert 115 < third.open_remaining("openai") <= 120


async def test_checks_read_the_local_mirror_and_the_flag_expires(
    redis_url: str, store_on: Stores, clock: FakeClock
) -> None:
    """``open_remaining`` is answered in-process (the hot path never waits for Redis);
    a refresh after the flag expired in Redis closes it in the mirror too."""
    first, second = store_on(redis_url), store_on(redis_url)
    second.open_remaining("anthropic")
    first.open_for("anthropic", 60)
    await first.flush()
    await second.refresh()
    assert second.open_remaining("anthropic") > 0
    await first._redis.delete(f"{first._prefix}:anthropic")  # as if its TTL had run out
    await second.refresh()
    assert second.open_remaining("anthropic") == 0


async def test_an_unreachable_redis_leaves_each_instance_its_own_breakers(
    unused_tcp_port: int, store_on: Stores, clock: FakeClock
) -> None:
    """With Redis down, openings still hold in this process, and nothing raises."""

    def errors() -> float:
        labels = {"component": "breaker"}
        return REGISTRY.get_sample_value("innertalk_redis_errors_total", labels) or 0

    store = store_on(f"redis://127.0.0.1:{unused_tcp_port}/0")
    before = errors()
    store.open_for("gemini", 30)
    await store.flush()
    await store.refresh()
    assert 29 < store.open_remaining("gemini") <= 30
    clock.advance(31)
    assert store.open_remaining("gemini") == 0
    assert errors() >= before + 2


def test_without_an_event_loop_an_opening_stays_local(clock: FakeClock) -> None:
    """A synchronous caller (no loop to write from) still opens the breaker in-process."""
    store = RedisBreakerStateStore(connect_redis("redis://127.0.0.1:1/0"), clock)
    store.open_for("gemini", 10)
    assert store.open_remaining("gemini") == 10
