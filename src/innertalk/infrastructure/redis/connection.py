"""The process's one Redis client, and how its adapters fail open.

Every Redis adapter (dedupe, rate limits, token budgets, the context cache, breaker flags, job
locks, aiogram's FSM storage) shares one ``BlockingConnectionPool``: a bounded number of
connections, a short wait for a free one, short connect/read timeouts, a periodic health
check of idle connections, and at most one immediate retry after a broken connection (never
after a timeout). A slow Redis therefore costs a message at most a few hundred milliseconds
before the adapter falls back to its in-process path.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from innertalk.infrastructure.observability.metrics import REDIS_ERRORS

log = structlog.get_logger(__name__)

REDIS_FAILURES: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
"""What a Redis call raises when the server is down, slow or the pool is exhausted."""


@dataclass(frozen=True, slots=True)
class RedisOptions:
    """Pool and timeouts of the shared client (seconds)."""

    max_connections: int = 50
    pool_timeout: float = 0.2
    """How long a caller waits for a free connection before failing open."""
    connect_timeout: float = 0.2
    read_timeout: float = 0.2
    health_check_interval: float = 30.0
    """An idle connection is pinged before reuse when it was unused this long."""
    retries: int = 1
    """Immediate retries after a dropped connection (Redis restarted); timeouts never retry."""


def connect_redis(url: str, options: RedisOptions | None = None) -> Redis:
    """A client on a fresh blocking pool; ``await client.aclose()`` closes the pool too.

    Nothing connects until the first command, so an unreachable Redis never stops start-up.
    """
    options = options or RedisOptions()
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=options.max_connections,
        timeout=options.pool_timeout,
        socket_connect_timeout=options.connect_timeout,
        socket_timeout=options.read_timeout,
        health_check_interval=options.health_check_interval,
        retry=Retry(NoBackoff(), options.retries, supported_errors=(RedisConnectionError,)),
    )
    return Redis.from_pool(pool)


class RedisFailures:
    """One component's Redis failures: each counted, the first of an outage and the recovery
    logged (never keys, values or user ids — only the component and the error's type)."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.down = False

    def failed(self, error: BaseException) -> None:
        REDIS_ERRORS.labels(self.component).inc()
        if not self.down:
            self.down = True
            log.warning("redis.unavailable", component=self.component, error=type(error).__name__)

    def succeeded(self) -> None:
        if self.down:
            self.down = False
            log.info("redis.recovered", component=self.component)
