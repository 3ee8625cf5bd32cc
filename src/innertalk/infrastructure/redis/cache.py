"""The context cache shared by every instance: this process's memory in front of Redis.

Each person's context lives in Redis as a hash ``{v: version, d: value}`` with a TTL, written
by ``put`` (a use case changed it) or ``fill`` (read from the store after a miss). Every write
makes a new random version; ``invalidate`` writes a version with an empty value (a tombstone).
The in-memory tier (cashews' ``Memory``: LRU with a TTL per person) keeps ``(version,
context)`` pairs, and every lookup asks Redis, in one round trip of a small Lua script, for the
current version — and for the value only when it differs from the one held here. So a change
made on instance A is seen by instance B's very next lookup (never a stale context, unlike
invalidation messages that may arrive after the next read), while a hit moves a few bytes
instead of the whole, possibly encrypted, context.

``fill`` is a compare-and-set on the version the lookup saw: a load that raced with a
change never overwrites it. When Redis is down or slow, lookups are misses (the store
answers), nothing is cached, and a change that could not be written leaves its person's key
marked: the mark is turned into a tombstone as soon as Redis answers again (before any other
call, and retried in the background), so nobody is served the value from before the outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable

import structlog
from cashews.backends.memory import Memory
from redis.asyncio import Redis

from innertalk.application.ports import CacheLookup
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.context_codec import ContextCodec, UndecodableContextError
from innertalk.infrastructure.observability.metrics import CONTEXT_CACHE
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures

log = structlog.get_logger(__name__)

_READ = """
local version = redis.call('HGET', KEYS[1], 'v')
if not version then return {} end
if version == ARGV[1] then return {version} end
return {version, redis.call('HGET', KEYS[1], 'd') or ''}
"""
"""Nothing; the version alone (the caller's copy is current); or the version and the value."""

_FILL = """
if (redis.call('HGET', KEYS[1], 'v') or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""
"""Store only while the version is still the one the lookup saw ('' = there was none)."""

UNAVAILABLE = object()
"""The stamp of a lookup Redis did not answer: what the store returns is not cached."""

Sleep = Callable[[float], Awaitable[None]]


class RedisContextCache:
    """``ContextCache`` shared through Redis, with a per-process in-memory tier."""

    def __init__(
        self,
        redis: Redis,
        codec: ContextCodec,
        *,
        ttl: float,
        local_size: int = 10_000,
        timeout: float = 0.6,
        retry_every: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._redis = redis
        self._codec = codec
        self._ttl = ttl
        self._timeout = timeout
        self._retry_every = retry_every
        self._sleep = sleep
        self._local = Memory(size=local_size, check_interval=0)
        self._read = redis.register_script(_READ)
        self._fill = redis.register_script(_FILL)
        self._failures = RedisFailures("cache")
        self._dirty: set[str] = set()
        self._retrying: asyncio.Task[None] | None = None
        self.hits = 0
        self.misses = 0

    async def lookup(self, key: UserKey) -> CacheLookup:
        name = _name(key)
        held = await self._local.get(name)
        try:
            async with asyncio.timeout(self._timeout):
                await self._flush_dirty()
                reply = await self._read(keys=[name], args=[held[0] if held else ""])
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            await self._local.delete(name)
            return self._miss(UNAVAILABLE)
        self._failures.succeeded()
        if not reply:
            await self._local.delete(name)
            return self._miss("")
        version = reply[0].decode()
        if len(reply) == 1 and held:
            return self._hit(held[1])
        blob = reply[1] if len(reply) > 1 else b""
        if not blob:  # a tombstone: invalidated, the store has the truth
            await self._local.delete(name)
            return self._miss(version)
        try:
            context = self._codec.decode(key, blob)
        except UndecodableContextError as error:
            log.warning("cache.undecodable", reason=str(error))
            await self._local.delete(name)
            return self._miss(version)
        await self._local.set(name, (version, context), expire=self._ttl)
        return self._hit(context)

    async def fill(self, context: ConversationContext, stamp: object) -> None:
        if not isinstance(stamp, str):  # Redis did not answer the lookup
            return
        name, version = _name(context.key), _new_version()
        args: list[str | bytes | int] = [stamp, version, self._codec.encode(context), self._ttl_ms]
        try:
            async with asyncio.timeout(self._timeout):
                await self._flush_dirty()
                stored = await self._fill(keys=[name], args=args)
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            return
        self._failures.succeeded()
        if stored:
            await self._local.set(name, (version, context), expire=self._ttl)

    async def put(self, context: ConversationContext) -> None:
        name, version = _name(context.key), _new_version()
        if await self._write(name, version, self._codec.encode(context)):
            await self._local.set(name, (version, context), expire=self._ttl)

    async def invalidate(self, key: UserKey) -> None:
        name = _name(key)
        await self._local.delete(name)
        await self._write(name, _new_version(), b"")

    async def close(self) -> None:
        """Stop retrying marked keys (the shared client is closed by its owner)."""
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        await self._local.close()

    @property
    def pending_invalidations(self) -> int:
        """Keys changed while Redis was unreachable, still to be tombstoned there."""
        return len(self._dirty)

    @property
    def _ttl_ms(self) -> int:
        return max(1, round(self._ttl * 1000))

    async def _write(self, name: str, version: str, blob: bytes) -> bool:
        """Set the value (``b""``: a tombstone); on failure mark the key for later."""
        try:
            async with asyncio.timeout(self._timeout):
                await self._flush_dirty()
                await self._set_many({name: (version, blob)})
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            await self._local.delete(name)
            self._dirty.add(name)
            self._retry_later()
            return False
        self._failures.succeeded()
        return True

    async def _set_many(self, values: dict[str, tuple[str, bytes]]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for name, (version, blob) in values.items():
                pipe.hset(name, mapping={"v": version, "d": blob})
                pipe.pexpire(name, self._ttl_ms)
            await pipe.execute()

    async def _flush_dirty(self) -> None:
        if not self._dirty:
            return
        marked = set(self._dirty)
        await self._set_many({name: (_new_version(), b"") for name in marked})
        self._dirty -= marked
        log.info("cache.invalidations_recovered", count=len(marked))

    def _retry_later(self) -> None:
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.create_task(self._retry(), name="context-cache-recovery")

    async def _retry(self) -> None:
        while self._dirty:
            await self._sleep(self._retry_every)
            try:
                async with asyncio.timeout(self._timeout):
                    await self._flush_dirty()
            except REDIS_FAILURES as error:
                self._failures.failed(error)
            else:
                self._failures.succeeded()

    def _hit(self, context: ConversationContext) -> CacheLookup:
        self.hits += 1
        CONTEXT_CACHE.labels(result="hit").inc()
        return CacheLookup(context)

    def _miss(self, stamp: object) -> CacheLookup:
        self.misses += 1
        CONTEXT_CACHE.labels(result="miss").inc()
        return CacheLookup(None, stamp)


def _name(key: UserKey) -> str:
    return f"innertalk:context:{key.bot_id}:{key.user_id}"


def _new_version() -> str:
    return secrets.token_hex(12)
