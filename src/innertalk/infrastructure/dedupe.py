"""Remembering Telegram update ids, so a redelivered update is handled once."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from cachetools import TTLCache
from redis.asyncio import Redis
from redis.exceptions import RedisError

from innertalk.infrastructure.metrics import DEDUPE_ERRORS

log = structlog.get_logger(__name__)

DEDUPE_TTL = 24 * 3600.0
"""Telegram redelivers an unacknowledged update for up to 24 hours."""


class LocalUpdateDedupe:
    """Seen update ids in a bounded in-process TTL cache (one instance only)."""

    def __init__(self, timer: Callable[[], float], *, maxsize: int = 200_000) -> None:
        self._seen: TTLCache[tuple[str, int], bool] = TTLCache(
            maxsize=maxsize, ttl=DEDUPE_TTL, timer=timer
        )

    async def first_time(self, bot_id: str, update_id: int) -> bool:
        marker = (bot_id, update_id)
        if marker in self._seen:
            return False
        self._seen[marker] = True
        return True


class RedisUpdateDedupe:
    """Seen update ids in Redis (``SET NX EX``), shared by every instance of a bot.

    When Redis is down or slow the check fails open — the update is handled, with a metric and
    a log line — and the next call tries Redis again; the in-process twin still catches
    duplicates that reach this same instance.
    """

    def __init__(self, url: str, timer: Callable[[], float], *, timeout: float = 0.2) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, max_connections=50
        )
        self._local = LocalUpdateDedupe(timer)

    async def first_time(self, bot_id: str, update_id: int) -> bool:
        if not await self._local.first_time(bot_id, update_id):
            return False
        try:
            claimed = await self._redis.set(
                f"innertalk:update:{bot_id}:{update_id}", 1, nx=True, ex=int(DEDUPE_TTL)
            )
        except RedisError as error:
            DEDUPE_ERRORS.inc()
            log.warning("dedupe.redis_unavailable", error=type(error).__name__)
            return True
        return bool(claimed)

    async def close(self) -> None:
        await self._redis.aclose()
