"""Job locks shared by every instance: a Redis lock with a TTL, renewed while the job runs.

The in-process twin (``LocalJobLocks``) is taken first, so one instance never runs a job
twice even with Redis down; then the Redis lock (``SET NX PX`` with a random token, via
redis-py's ``Lock``). While held, its TTL is renewed every third of it; a holder that dies
stops renewing and the lock frees itself within ``ttl``. When Redis cannot be asked, the lock
is granted on the in-process twin alone — failing open, with a metric and a log line: with
Redis down two instances could then run the same job only if both were started in that
window.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError

from innertalk.infrastructure.locks import LocalJobLock, LocalJobLocks
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class RedisJobLocks:
    """``JobLocks`` across instances, fail-open to the in-process twin."""

    def __init__(
        self,
        redis: Redis,
        *,
        ttl: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        timeout: float = 0.6,
        prefix: str = "innertalk:lock",
    ) -> None:
        self._redis = redis
        self._ttl = ttl
        self._sleep = sleep
        self._timeout = timeout
        self._prefix = prefix
        self._local = LocalJobLocks()
        self._failures = RedisFailures("job_lock")

    async def try_acquire(self, name: str) -> RedisJobLock | None:
        local = await self._local.try_acquire(name)
        if local is None:
            return None
        lock = self._redis.lock(
            f"{self._prefix}:{name}", timeout=self._ttl, blocking=False, thread_local=False
        )
        try:
            async with asyncio.timeout(self._timeout):
                acquired = await lock.acquire()
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            return RedisJobLock(local, None, self)
        self._failures.succeeded()
        if not acquired:
            await local.release()
            return None
        return RedisJobLock(local, lock, self)

    async def renew(self, lock: Lock) -> None:
        """Keep ``lock`` alive until cancelled; stops when another holder has it."""
        while True:
            await self._sleep(self._ttl / 3)
            try:
                async with asyncio.timeout(self._timeout):
                    await lock.reacquire()
            except LockNotOwnedError:
                log.error("job_lock.lost")  # it expired while Redis was unreachable
                return
            except REDIS_FAILURES as error:
                self._failures.failed(error)
            else:
                self._failures.succeeded()

    async def release(self, lock: Lock) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await lock.release()
        except REDIS_FAILURES as error:  # it expires by itself within the TTL
            if not isinstance(error, LockNotOwnedError):
                self._failures.failed(error)


class RedisJobLock:
    """A held ``RedisJobLocks`` lock (``lock`` is ``None`` when Redis could not be asked)."""

    def __init__(self, local: LocalJobLock, lock: Lock | None, owner: RedisJobLocks) -> None:
        self._local = local
        self._lock = lock
        self._owner = owner
        self._renewing = asyncio.create_task(owner.renew(lock)) if lock is not None else None

    @property
    def shared(self) -> bool:
        """Whether Redis holds it too (``False``: granted in this process only)."""
        return self._lock is not None

    async def release(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
            self._renewing = None
        if self._lock is not None:
            await self._owner.release(self._lock)
            self._lock = None
        await self._local.release()
