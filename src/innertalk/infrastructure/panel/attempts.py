"""Failed sign-ins per subject and lockouts: in this process, or in Redis so that every
instance behind the proxy counts the same failures.

A subject is locked for ``LOCKOUT_SECONDS`` once ``limit`` failures fall within that many
seconds; a lock, once taken, lasts its full time even if the right password comes along.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from cachetools import TTLCache

from innertalk.application.panel.sign_in import LOCKOUT_SECONDS

if TYPE_CHECKING:
    from redis.asyncio import Redis


class LocalLoginAttempts:
    def __init__(
        self, *, timer: Callable[[], float] = time.monotonic, window: float = LOCKOUT_SECONDS
    ) -> None:
        self._timer = timer
        self._window = window
        self._failures: TTLCache[str, deque[float]] = TTLCache(
            maxsize=100_000, ttl=window, timer=timer
        )
        self._locks: TTLCache[str, bool] = TTLCache(maxsize=100_000, ttl=window, timer=timer)

    async def locked(self, subject: str) -> bool:
        return subject in self._locks

    async def failed(self, subject: str, limit: int) -> bool:
        now = self._timer()
        recent = self._failures.get(subject) or deque()
        while recent and recent[0] <= now - self._window:
            recent.popleft()
        recent.append(now)
        self._failures[subject] = recent
        if len(recent) >= limit:
            self._locks[subject] = True
            del self._failures[subject]
            return True
        return False

    async def clear(self, subject: str) -> None:
        self._failures.pop(subject, None)


class RedisLoginAttempts:
    """A fixed window per subject (``INCR`` with a TTL set by the first failure) and a lock key
    with its own TTL; subjects are hashed, so Redis never holds names or addresses."""

    def __init__(self, redis: Redis, *, window: float = LOCKOUT_SECONDS) -> None:
        self._redis = redis
        self._window = int(window)

    async def locked(self, subject: str) -> bool:
        return bool(await self._redis.exists(_key("lock", subject)))

    async def failed(self, subject: str, limit: int) -> bool:
        key = _key("fail", subject)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window, nx=True)
            count, _ = await pipe.execute()
        if int(count) < limit:
            return False
        await self._redis.set(_key("lock", subject), b"1", ex=self._window)
        await self._redis.delete(key)
        return True

    async def clear(self, subject: str) -> None:
        await self._redis.delete(_key("fail", subject))


def _key(kind: str, subject: str) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"innertalk:panel:{kind}:{digest}"
