"""Remembering Telegram update ids in Redis, shared by every instance of a bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from redis.asyncio import Redis

from innertalk.infrastructure.dedupe import DEDUPE_TTL, LocalUpdateDedupe
from innertalk.infrastructure.observability.metrics import DEDUPE_ERRORS
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures, connect_redis


class RedisUpdateDedupe:
    """Seen update ids in Redis (``SET NX EX``), shared by every instance of a bot.

    When Redis is down or slow the check fails open — the update is handled, with a metric and
    a log line — and the next call tries Redis again; the in-process twin still catches
    duplicates that reach this same instance.
    """

    def __init__(
        self, redis: Redis | str, timer: Callable[[], float], *, timeout: float = 0.6
    ) -> None:
        """``redis``: the process's shared client, or a URL for a client of its own (closed by
        ``close``; the shared one is closed by its owner)."""
        self._owned = isinstance(redis, str)
        self._redis = connect_redis(redis) if isinstance(redis, str) else redis
        self._timeout = timeout
        self._local = LocalUpdateDedupe(timer)
        self._failures = RedisFailures("dedupe")

    async def first_time(self, bot_id: str, update_id: int) -> bool:
        if not await self._local.first_time(bot_id, update_id):
            return False
        try:
            async with asyncio.timeout(self._timeout):
                claimed = await self._redis.set(
                    f"innertalk:update:{bot_id}:{update_id}", 1, nx=True, ex=int(DEDUPE_TTL)
                )
        except REDIS_FAILURES as error:
            DEDUPE_ERRORS.inc()
            self._failures.failed(error)
            return True
        self._failures.succeeded()
        return bool(claimed)

    async def close(self) -> None:
        if self._owned:
            await self._redis.aclose()
