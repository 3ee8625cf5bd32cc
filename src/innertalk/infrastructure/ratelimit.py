"""Per-person rate limits with the ``limits`` library: in memory, or in Redis across instances.

A moving window (``20/minute`` means at most 20 messages in any 60 seconds). When the
storage fails (Redis down or slow), the limiter fails open: the message is allowed, a metric
counts it and a warning is logged, and the next call tries Redis again.
"""

from __future__ import annotations

import asyncio

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from innertalk.domain.users import UserKey
from innertalk.infrastructure.metrics import RATE_LIMIT_DECISIONS

log = structlog.get_logger(__name__)


def parse_rate(rate: str) -> RateLimitItem:
    """``"20/minute"`` as a rate item; ``ValueError`` for anything ``limits`` cannot read."""
    try:
        return parse(rate)
    except ValueError as error:
        raise ValueError(f"not a rate like 20/minute: {rate!r}") from error


class LimitsRateLimiter:
    """A moving-window limiter per person over ``storage_uri`` (``memory://``, ``redis://…``)."""

    def __init__(self, rate: str, storage_uri: str = "memory://", *, timeout: float = 0.2) -> None:
        self._item = parse_rate(rate)
        options: dict[str, float | str] = {}
        if storage_uri.startswith(("redis", "rediss", "unix")):
            # redis-py (already a dependency) rather than coredis; short socket timeouts so a
            # slow Redis fails open quickly instead of holding messages up.
            options = {
                "implementation": "redispy",
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            }
        storage = storage_from_string(_async_uri(storage_uri), **options)
        if not isinstance(storage, Storage):  # pragma: no cover - _async_uri guarantees it
            raise TypeError(f"{storage_uri!r} is not an asyncio storage")
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._timeout = timeout

    async def allow(self, key: UserKey) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                allowed = await self._limiter.hit(self._item, "msg", key.bot_id, str(key.user_id))
        except Exception as error:  # fail open: a broken limiter must not silence people
            RATE_LIMIT_DECISIONS.labels(decision="error").inc()
            log.warning("ratelimit.unavailable", error=type(error).__name__)
            return True
        RATE_LIMIT_DECISIONS.labels(decision="allowed" if allowed else "rejected").inc()
        return allowed


def _async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"
