"""The context cache twins — in process, and Redis with a local tier — behave alike; the Redis
one is shared by instances (a change on one is seen by the next lookup on another)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from innertalk.application.conversation.contexts import ContextLoader
from innertalk.application.ports import ContextCache
from innertalk.domain.conversation import ConversationContext, Role, Session, Turn
from innertalk.domain.users import Language, Style, UserKey, new_profile
from innertalk.domain.wellbeing import QuestionnaireResult
from innertalk.infrastructure.cache import LocalContextCache
from innertalk.infrastructure.context_codec import ContextCodec
from innertalk.infrastructure.redis.cache import RedisContextCache
from innertalk.infrastructure.redis.connection import connect_redis
from tests.fakes.clock import FakeClock

T0 = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
CacheFactory = Callable[[], ContextCache]


def someone() -> UserKey:
    return UserKey(f"bot-{uuid.uuid4().hex[:8]}", 4242)


def context_of(key: UserKey, said: str = "I slept badly") -> ConversationContext:
    """A context with every part filled in: profile, open session, summary, turns, results."""
    profile = replace(
        new_profile(key, T0, language=Language.RU, display_name="Алиса", consent=True),
        style=Style.EMPATHY,
        timezone="Europe/Moscow",
    )
    session = Session("s1", key, T0, tokens_used=120, safety=True)
    turns = (
        Turn("t1", key, "s1", Role.USER, said, T0),
        Turn("t2", key, "s1", Role.ASSISTANT, "Мне жаль 💙", T0, "gemini", "g-1", 10, 5, "a", 9),
    )
    result = QuestionnaireResult("q1", key, "phq9", 7, "mild", (1, 2, None, 0), T0)
    return ConversationContext(key, profile, session, "last time: work", turns, (result,))


class CountingStore:
    """A ``ConversationStore`` whose ``load_context`` is slow and counted."""

    def __init__(self) -> None:
        self.loads = 0
        self.release = asyncio.Event()

    async def load_context(
        self, key: UserKey, turn_limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        self.loads += 1
        await self.release.wait()
        return context_of(key)


@pytest.fixture(params=["local", "redis"])
async def make_cache(request: pytest.FixtureRequest) -> AsyncIterator[CacheFactory]:
    """Builds caches of one kind; Redis ones each get their own client (own process)."""
    made: list[RedisContextCache] = []
    if request.param == "local":
        clock = FakeClock()
        yield lambda: LocalContextCache(maxsize=100, ttl=600, timer=clock.monotonic)
        return
    url = request.getfixturevalue("redis_url")

    def redis_cache() -> ContextCache:
        cache = RedisContextCache(connect_redis(url), ContextCodec(), ttl=600)
        made.append(cache)
        return cache

    yield redis_cache
    for cache in made:
        await cache.close()
        await cache._redis.aclose()


async def test_a_miss_filled_from_the_store_is_then_a_hit(make_cache: CacheFactory) -> None:
    """Lookup misses, ``fill`` stores what the store returned, the next lookup returns it."""
    cache, key = make_cache(), someone()
    found = await cache.lookup(key)
    assert found.context is None
    await cache.fill(context_of(key), found.stamp)
    assert (await cache.lookup(key)).context == context_of(key)


async def test_put_replaces_and_invalidate_drops(make_cache: CacheFactory) -> None:
    """A put replaces the cached context; after an invalidation the lookup misses."""
    cache, key = make_cache(), someone()
    await cache.put(context_of(key, "first"))
    await cache.put(context_of(key, "second"))
    hit = (await cache.lookup(key)).context
    assert hit is not None
    assert hit.recent_turns[0].text == "second"
    await cache.invalidate(key)
    assert (await cache.lookup(key)).context is None


@pytest.mark.parametrize("change", ["put", "invalidate"])
async def test_a_load_that_raced_with_a_change_is_not_kept(
    make_cache: CacheFactory, change: str
) -> None:
    """A context read before a change (put or invalidate) never overwrites it in the cache."""
    cache, key = make_cache(), someone()
    stale = await cache.lookup(key)
    if change == "put":
        await cache.put(context_of(key, "new"))
    else:
        await cache.invalidate(key)
    await cache.fill(context_of(key, "old"), stale.stamp)
    found = (await cache.lookup(key)).context
    assert found is None if change == "invalidate" else found == context_of(key, "new")


async def test_hits_and_misses_are_counted(make_cache: CacheFactory) -> None:
    """Every lookup counts as a hit or a miss in innertalk_cache_requests_total."""

    def count(result: str) -> float:
        return REGISTRY.get_sample_value("innertalk_cache_requests_total", {"result": result})

    cache, key = make_cache(), someone()
    hits, misses = count("hit"), count("miss")
    await cache.lookup(key)
    await cache.put(context_of(key))
    await cache.lookup(key)
    await cache.lookup(key)
    assert (count("hit") - hits, count("miss") - misses) == (2, 1)


async def test_concurrent_loads_of_one_person_read_the_store_once(
    make_cache: CacheFactory,
) -> None:
    """Twenty loads of one person at once: one store read, every caller gets its result."""
    store, key = CountingStore(), someone()
    loader = ContextLoader(store, make_cache(), turn_limit=20)
    loads = [asyncio.create_task(loader.load(key)) for _ in range(20)]
    for _ in range(20):  # let every caller reach its lookup and join the flight
        await asyncio.sleep(0.005)
    store.release.set()
    assert await asyncio.gather(*loads) == [context_of(key)] * 20
    assert store.loads == 1
    assert await loader.load(key) == context_of(key)
    assert store.loads == 1


async def test_a_cancelled_reader_does_not_fail_the_others(make_cache: CacheFactory) -> None:
    """The caller reading for everyone gives up: a waiting caller reads for itself."""
    store, key = CountingStore(), someone()
    loader = ContextLoader(store, make_cache(), turn_limit=20)
    first = asyncio.create_task(loader.load(key))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(loader.load(key))
    await asyncio.sleep(0.01)
    first.cancel()
    store.release.set()
    assert await second == context_of(key)
    assert store.loads == 2


async def test_a_change_during_a_load_is_what_later_loads_see(make_cache: CacheFactory) -> None:
    """A load after a change never joins a read from before it, nor gets its result."""
    store, key = CountingStore(), someone()
    loader = ContextLoader(store, make_cache(), turn_limit=20)
    before = asyncio.create_task(loader.load(key))
    await asyncio.sleep(0.01)
    await loader.remember(context_of(key, "changed"))
    after = await loader.load(key)
    store.release.set()
    await before
    assert after == context_of(key, "changed")
    assert await loader.load(key) == context_of(key, "changed")
