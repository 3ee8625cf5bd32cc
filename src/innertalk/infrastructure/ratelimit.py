"""Per-person limits with the ``limits`` library: in memory, or in Redis across instances.

- ``LimitsRateLimiter``: messages, a moving window (``20/minute`` means at most 20 messages in
  any 60 seconds), in Redis across instances.
- ``LocalRateLimiter``: the same window in this process (no ``REDIS_URL``). Not ``limits``'
  ``memory://`` storage: that one sweeps every person's entries on each hit, which cost ≈5 ms
  of CPU per message with 1,000 people writing (docs/benchmarks.md, *Load*).
- ``LimitsTokenBudget``: tokens spent on replies, a fixed one-day window per person that
  starts with their first reply (``INCRBY`` with a TTL in Redis — atomic across instances).

When the storage fails (Redis down or slow), both fail open: the message is allowed, a metric
counts it and a warning is logged, and the next call tries Redis again. With Redis they use
the process's shared connection pool.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog
from cachetools import TTLCache
from limits import RateLimitItem, RateLimitItemPerDay, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from limits.storage import storage_from_string

from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import (
    RATE_LIMIT_DECISIONS,
    TOKEN_BUDGET_REFUSALS,
)

if TYPE_CHECKING:  # redis-py takes a few hundred ms to import: only a process with Redis pays
    from redis.asyncio import ConnectionPool

    from innertalk.infrastructure.redis.connection import RedisFailures

log = structlog.get_logger(__name__)


def _failures(component: str) -> RedisFailures:
    from innertalk.infrastructure.redis.connection import RedisFailures

    return RedisFailures(component)


def parse_rate(rate: str) -> RateLimitItem:
    """``"20/minute"`` as a rate item; ``ValueError`` for anything ``limits`` cannot read."""
    try:
        return parse(rate)
    except ValueError as error:
        raise ValueError(f"not a rate like 20/minute: {rate!r}") from error


def is_rate(text: str) -> bool:
    """Whether ``text`` is a rate ``limits`` reads (``20/minute``, ``5 per second``)."""
    try:
        parse_rate(text)
    except ValueError:
        return False
    return True


def limits_storage(
    storage_uri: str, *, pool: ConnectionPool | None = None, timeout: float = 0.2
) -> Storage:
    """An asyncio ``limits`` storage for ``memory://`` or a Redis URL.

    Redis goes through redis-py (already a dependency, rather than coredis): on ``pool`` when
    given (the process's shared one), else on its own connections with short timeouts, so a
    slow Redis fails open quickly instead of holding messages up.
    """
    options: dict[str, Any] = {}
    if storage_uri.startswith(("redis", "rediss", "unix")):
        options = {"implementation": "redispy"}
        if pool is not None:
            options["connection_pool"] = pool
        else:
            options |= {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    storage = storage_from_string(_async_uri(storage_uri), **options)
    if not isinstance(storage, Storage):  # pragma: no cover - _async_uri guarantees it
        raise TypeError(f"{storage_uri!r} is not an asyncio storage")
    return storage


class LimitsRateLimiter:
    """A moving-window limiter per person over ``storage_uri`` (``memory://``, ``redis://…``)."""

    def __init__(
        self,
        rate: str,
        storage_uri: str = "memory://",
        *,
        timeout: float = 0.2,
        pool: ConnectionPool | None = None,
    ) -> None:
        self._item = parse_rate(rate)
        self._storage = limits_storage(storage_uri, pool=pool, timeout=timeout)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._timeout = timeout
        self._failures = _failures("rate_limit")

    async def allow(self, key: UserKey) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                allowed = await self._limiter.hit(self._item, "msg", key.bot_id, str(key.user_id))
        except Exception as error:  # fail open: a broken limiter must not silence people
            RATE_LIMIT_DECISIONS.labels(decision="error").inc()
            self._failures.failed(error)
            return True
        self._failures.succeeded()
        RATE_LIMIT_DECISIONS.labels(decision="allowed" if allowed else "rejected").inc()
        return allowed


class LocalRateLimiter:
    """A moving window per person in this process: the times of their last ``amount``
    messages, kept until the window has passed (a bounded cache: idle people are dropped)."""

    def __init__(
        self, rate: str, *, timer: Callable[[], float] = time.monotonic, maxsize: int = 200_000
    ) -> None:
        item = parse_rate(rate)
        self._amount = item.amount
        self._window = float(item.get_expiry())
        self._timer = timer
        self._recent: TTLCache[UserKey, deque[float]] = TTLCache(
            maxsize=maxsize, ttl=self._window, timer=timer
        )

    async def allow(self, key: UserKey) -> bool:
        now = self._timer()
        recent = self._recent.get(key)
        if recent is None:
            recent = deque(maxlen=self._amount)
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        allowed = len(recent) < self._amount
        if allowed:
            recent.append(now)
        self._recent[key] = recent  # re-stored: the entry lives a window after the last hit
        RATE_LIMIT_DECISIONS.labels(decision="allowed" if allowed else "rejected").inc()
        return allowed


class LimitsTokenBudget:
    """``TokenBudget``: at most ``tokens_per_day`` per person in a one-day window."""

    def __init__(
        self,
        tokens_per_day: int,
        storage_uri: str = "memory://",
        *,
        timeout: float = 0.6,
        pool: ConnectionPool | None = None,
    ) -> None:
        if tokens_per_day < 1:
            raise ValueError("a token budget needs at least one token a day")
        self._item = RateLimitItemPerDay(tokens_per_day)
        self._limiter = FixedWindowRateLimiter(
            limits_storage(storage_uri, pool=pool, timeout=timeout)
        )
        self._timeout = timeout
        self._failures = _failures("token_budget")

    async def exhausted_for(self, key: UserKey) -> float:
        ids = ("tokens", key.bot_id, str(key.user_id))
        try:
            async with asyncio.timeout(self._timeout):
                if await self._limiter.test(self._item, *ids):
                    self._failures.succeeded()
                    return 0.0
                stats = await self._limiter.get_window_stats(self._item, *ids)
        except Exception as error:  # fail open: an unknown budget refuses nobody
            self._failures.failed(error)
            return 0.0
        self._failures.succeeded()
        TOKEN_BUDGET_REFUSALS.inc()
        return max(1.0, stats.reset_time - time.time())

    async def spend(self, key: UserKey, tokens: int) -> None:
        if tokens <= 0:
            return
        try:
            async with asyncio.timeout(self._timeout):
                await self._limiter.hit(
                    self._item, "tokens", key.bot_id, str(key.user_id), cost=tokens
                )
        except Exception as error:  # the reply was given; only the count is lost
            self._failures.failed(error)
        else:
            self._failures.succeeded()


def _async_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else f"async+{uri}"
