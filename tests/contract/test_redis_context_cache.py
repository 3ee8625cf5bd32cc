"""The shared context cache across instances: invalidation, its local tier, TTL, encryption,
and an outage of Redis (fail open, then recovery without a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.context_codec import ContextCodec
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.redis.cache import RedisContextCache
from innertalk.infrastructure.redis.connection import connect_redis
from tests.contract.test_context_cache_contract import context_of, someone
from tests.fakes.redis_server import RedisServer
from tests.fakes.sleeper import ManualSleep, eventually

CIPHER = FieldCipher([parse_key(generate_key())])


class CountingCodec(ContextCodec):
    """Counts decodes: how often a whole context came over the wire."""

    def __init__(self, cipher: FieldCipher | None = None) -> None:
        super().__init__(cipher)
        self.decodes = 0

    def decode(self, key: UserKey, blob: bytes) -> ConversationContext:
        self.decodes += 1
        return super().decode(key, blob)


Instance = Callable[..., RedisContextCache]


@pytest.fixture
async def instance() -> AsyncIterator[Callable[[str], Instance]]:
    """``instance(url)(**options)``: a cache on a client of its own, like another process."""
    made: list[RedisContextCache] = []

    def on(url: str) -> Instance:
        def build(**options: object) -> RedisContextCache:
            options.setdefault("codec", ContextCodec())
            options.setdefault("ttl", 600)
            cache = RedisContextCache(connect_redis(url), **options)  # type: ignore[arg-type]
            made.append(cache)
            return cache

        return build

    yield on
    for cache in made:
        await cache.close()
        await cache._redis.aclose()


def _errors() -> float:
    return REGISTRY.get_sample_value("innertalk_redis_errors_total", {"component": "cache"}) or 0


async def test_a_change_on_one_instance_is_seen_by_the_next_lookup_on_another(
    redis_url: str, instance: Callable[[str], Instance]
) -> None:
    """B holds a context in memory; A's put is what B's next lookup returns, A's invalidate
    makes B miss — no window in which B serves the old one."""
    a, b = instance(redis_url)(), instance(redis_url)()
    key = someone()
    await a.put(context_of(key, "v1"))
    assert (await b.lookup(key)).context == context_of(key, "v1")
    await a.put(context_of(key, "v2"))
    assert (await b.lookup(key)).context == context_of(key, "v2")
    await a.invalidate(key)
    assert (await b.lookup(key)).context is None


async def test_a_hit_on_an_unchanged_context_moves_only_its_version(
    redis_url: str, instance: Callable[[str], Instance]
) -> None:
    """The in-memory tier answers repeated lookups; the context is decoded once, not per hit."""
    codec = CountingCodec()
    a, b = instance(redis_url)(), instance(redis_url)(codec=codec)
    key = someone()
    await a.put(context_of(key))
    for _ in range(5):
        assert (await b.lookup(key)).context == context_of(key)
    assert codec.decodes == 1
    assert (b.hits, b.misses) == (5, 0)


async def test_each_person_expires_after_the_ttl(
    redis_url: str, instance: Callable[[str], Instance]
) -> None:
    """A person's entry carries its own TTL in Redis, renewed by every write."""
    cache = instance(redis_url)(ttl=90)
    key = someone()
    await cache.put(context_of(key))
    redis: Redis = cache._redis
    left = await redis.pttl(f"innertalk:context:{key.bot_id}:{key.user_id}")
    assert 85_000 < left <= 90_000


async def test_with_a_key_contexts_are_sealed_and_bound_to_their_owner(
    redis_url: str, instance: Callable[[str], Instance]
) -> None:
    """With ENCRYPTION_KEY no words reach Redis; a value copied to another person's key, or
    a plain value written there, is refused (a miss), never used."""
    cache = instance(redis_url)(codec=ContextCodec(CIPHER))
    alice, bob = someone(), someone()
    await cache.put(context_of(alice, "a very private sentence"))
    redis: Redis = cache._redis
    stored = await redis.hget(f"innertalk:context:{alice.bot_id}:{alice.user_id}", "d")
    assert stored is not None
    assert b"private" not in stored
    assert b"\xd0\x90\xd0\xbb" not in stored  # "Ал" of the display name
    await redis.hset(
        f"innertalk:context:{bob.bot_id}:{bob.user_id}", mapping={"v": "x", "d": stored}
    )
    assert (await cache.lookup(bob)).context is None
    plain = ContextCodec().encode(context_of(bob))
    await redis.hset(
        f"innertalk:context:{bob.bot_id}:{bob.user_id}", mapping={"v": "y", "d": plain}
    )
    assert (await cache.lookup(bob)).context is None
    assert (await cache.lookup(alice)).context == context_of(alice, "a very private sentence")


async def test_a_corrupt_value_is_a_miss(
    redis_url: str, instance: Callable[[str], Instance]
) -> None:
    """Garbage (or a pickle) under a person's key is a miss, and a fill replaces it."""
    cache = instance(redis_url)()
    key = someone()
    redis: Redis = cache._redis
    name = f"innertalk:context:{key.bot_id}:{key.user_id}"
    await redis.hset(name, mapping={"v": "x", "d": b"\x80\x04\x95not json"})
    found = await cache.lookup(key)
    assert found.context is None
    await cache.fill(context_of(key), found.stamp)
    assert (await cache.lookup(key)).context == context_of(key)


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, to kill and start again (its data survives a kill)."""
    server = RedisServer(tmp_path, durable=True)
    server.start()
    yield server
    server.stop()


async def test_redis_down_fails_open_and_nothing_stale_is_served_after_it(
    outage: RedisServer, instance: Callable[[str], Instance]
) -> None:
    """Redis killed: lookups miss (the store answers) and changes are remembered as pending,
    with a metric; back up (its old data intact), the first call tombstones what changed, so
    the other instance misses instead of serving the old context; then all works again."""
    a, b = instance(outage.url)(), instance(outage.url)()
    key = someone()
    await a.put(context_of(key, "before"))
    assert (await b.lookup(key)).context == context_of(key, "before")
    errors = _errors()

    outage.kill()
    assert (await a.lookup(key)).context is None
    await a.put(context_of(key, "during"))
    assert a.pending_invalidations == 1
    assert _errors() > errors

    outage.start()
    await a.lookup(someone())  # any call first turns pending changes into tombstones
    assert a.pending_invalidations == 0
    assert (await b.lookup(key)).context is None
    await a.put(context_of(key, "after"))
    assert (await b.lookup(key)).context == context_of(key, "after")


async def test_pending_invalidations_are_retried_in_the_background(
    outage: RedisServer, instance: Callable[[str], Instance]
) -> None:
    """An idle instance still tombstones what it changed during an outage, once Redis is back."""
    sleep = ManualSleep()
    a, b = instance(outage.url)(sleep=sleep), instance(outage.url)()
    key = someone()
    await a.put(context_of(key, "before"))
    outage.kill()
    await a.invalidate(key)
    await sleep.tick()  # a retry while Redis is still down: still pending
    assert a.pending_invalidations == 1
    outage.start()
    await sleep.tick(then_asleep=False)
    await eventually(lambda: a.pending_invalidations == 0)
    assert (await b.lookup(key)).context is None
