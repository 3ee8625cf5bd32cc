"""Circuit-breaker "open until" flags shared by every instance through Redis.

The breaker asks ``open_remaining`` on every routing decision, so it must stay in-process:
this store answers from a local mirror. ``open_for`` updates the mirror at once and writes
the flag to Redis in the background (a key whose TTL is the remaining time, extended only
when longer — an opening is never shortened); ``refresh`` (every ``refresh_every`` seconds
while ``run`` is running) reads the TTLs of every provider this process has asked about, so
another instance's opening reaches this one within a second. TTLs are measured by Redis, so
the instances' clocks need not agree.

When Redis is unreachable the mirror keeps this process's own openings: each instance
behaves as if alone (a metric and a log line say so) until Redis answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from innertalk.application.background import Background
from innertalk.application.ports import Clock
from innertalk.infrastructure.llm.breaker import LocalBreakerStateStore
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures

_OPEN_FOR = """
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
    return 1
end
return 0
"""
"""Open for ARGV[1] ms unless the flag already lasts longer."""


class RedisBreakerStateStore:
    """``BreakerStateStore`` mirrored in-process and shared through Redis."""

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        *,
        refresh_every: float = 1.0,
        timeout: float = 0.6,
        prefix: str = "innertalk:breaker",
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._local = LocalBreakerStateStore(clock)
        self._shared: dict[str, float] = {}
        """Monotonic time until which Redis said each provider is open."""
        self._names: set[str] = set()
        self._refresh_every = refresh_every
        self._timeout = timeout
        self._prefix = prefix
        self._open_for = redis.register_script(_OPEN_FOR)
        self._writes = Background()
        self._failures = RedisFailures("breaker")

    def open_for(self, name: str, seconds: float) -> None:
        self._names.add(name)
        self._local.open_for(name, seconds)
        with contextlib.suppress(RuntimeError):  # no event loop (a synchronous caller):
            self._writes.spawn(self._publish(name, seconds))  # this process only

    def open_remaining(self, name: str) -> float:
        self._names.add(name)
        shared = self._shared.get(name, 0.0) - self._clock.monotonic()
        return max(self._local.open_remaining(name), shared, 0.0)

    async def refresh(self) -> None:
        """Read every known provider's flag from Redis into the mirror (fails open)."""
        names = sorted(self._names)
        if not names:
            return
        try:
            async with asyncio.timeout(self._timeout):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for name in names:
                        pipe.pttl(self._key(name))
                    remaining = await pipe.execute()
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            return
        self._failures.succeeded()
        now = self._clock.monotonic()
        for name, milliseconds in zip(names, remaining, strict=True):
            if milliseconds > 0:
                self._shared[name] = now + milliseconds / 1000
            else:
                self._shared.pop(name, None)

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Refresh forever (a background task of the composition root)."""
        while True:
            await self.refresh()
            await sleep(self._refresh_every)

    async def flush(self) -> None:
        """Wait for openings still being written to Redis."""
        await self._writes.settle()

    async def aclose(self) -> None:
        self._writes.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.flush()

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{name}"

    async def _publish(self, name: str, seconds: float) -> None:
        milliseconds = max(1, round(seconds * 1000))
        try:
            async with asyncio.timeout(self._timeout):
                await self._open_for(keys=[self._key(name)], args=[milliseconds])
        except REDIS_FAILURES as error:
            self._failures.failed(error)
        else:
            self._failures.succeeded()
