"""Storage, the durable inbox and the state several instances share, from ``DATABASE_URL``,
``REDIS_URL`` and the at-rest keys."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from innertalk.application.inbox import InboxUnavailableError, UpdateInbox
from innertalk.application.ports import (
    Clock,
    ContextCache,
    JobLocks,
    RateLimiter,
    Storage,
    TokenBudget,
    UpdateDedupe,
)
from innertalk.application.tenant_limits import RateLimiters, TokenBudgets
from innertalk.config import ConfigError, Settings
from innertalk.infrastructure.cache import LocalContextCache
from innertalk.infrastructure.context_codec import ContextCodec
from innertalk.infrastructure.crypto import FieldCipher
from innertalk.infrastructure.dedupe import LocalUpdateDedupe
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.locks import LocalJobLocks
from innertalk.infrastructure.ratelimit import (
    LimitsRateLimiter,
    LimitsTokenBudget,
    LocalRateLimiter,
)
from innertalk.infrastructure.storage.key_check import KeyMismatchError, check_keys
from innertalk.infrastructure.storage.sqlite.inbox import SqliteUpdateInbox
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage

if TYPE_CHECKING:  # redis-py and PyMongo take a few hundred ms each to import: they are
    # imported where REDIS_URL or a mongodb:// DATABASE_URL is used (docs/operations.md)
    from redis.asyncio import Redis

    from innertalk.infrastructure.llm.redis_breaker import RedisBreakerStateStore
    from innertalk.infrastructure.storage.mongo.storage import MongoStorage

CONTEXT_CACHE_SIZE = 50_000
CONTEXT_CACHE_TTL = 30 * 60.0


async def open_storage(settings: Settings, *, migrate: bool | None = None) -> Storage:
    """The storage backend ``DATABASE_URL`` names, migrated when ``AUTO_MIGRATE`` is on.

    A database that cannot be opened is a configuration problem: ``ConfigError`` names it.
    MongoDB without ``AUTO_MIGRATE`` must already have its indexes (``innertalk migrate``).
    """
    migrating = settings.storage.auto_migrate if migrate is None else migrate
    # the adapters' row codecs seal every personal field with it (docs/architecture.md)
    cipher = at_rest_cipher(settings)
    storage: SqliteStorage | MongoStorage
    if settings.storage.backend == "mongodb":
        storage = await _open_mongodb(settings, migrate=migrating, cipher=cipher)
    else:
        path = settings.storage.sqlite_path
        storage = await _open_sqlite(path, migrate=migrating, cipher=cipher)
    try:
        await check_keys(storage, cipher)
    except KeyMismatchError as error:
        await storage.close()
        raise ConfigError(str(error)) from None
    return storage


def at_rest_cipher(settings: Settings) -> FieldCipher | None:
    """The cipher ``ENCRYPTION_KEY`` (then ``ENCRYPTION_KEYS_PREVIOUS``) makes, if set."""
    keys = settings.security.keys()
    return FieldCipher(keys) if keys else None


async def _open_sqlite(
    path: Path, *, migrate: bool, cipher: FieldCipher | None = None
) -> SqliteStorage:
    try:
        storage = await SqliteStorage.open(path, cipher=cipher)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"DATABASE_URL: cannot open {path}: {error}") from None
    if migrate:
        await storage.migrate()
    return storage


async def _open_mongodb(
    settings: Settings, *, migrate: bool, cipher: FieldCipher | None = None
) -> MongoStorage:
    """Connected (or a one-line ``ConfigError`` naming ``DATABASE_URL``), then migrated or
    checked for the indexes ``innertalk migrate`` creates."""
    from innertalk.infrastructure.storage.mongo.client import MongoStartupError
    from innertalk.infrastructure.storage.mongo.storage import MongoStorage

    try:
        storage = await MongoStorage.open(
            settings.storage.database_url,
            settings.storage.mongodb_database,
            retention_days=settings.talk.retention_days,
            cipher=cipher,
        )
        await storage.prepare(migrate=migrate)
    except MongoStartupError as error:
        raise ConfigError(f"DATABASE_URL: {error}") from None
    return storage


@dataclass(frozen=True, slots=True)
class SharedState:
    """What several instances must share: in Redis with ``REDIS_URL``, else in-process twins.

    Every Redis adapter uses the one client (one bounded pool) and fails open to the
    in-process path while Redis is down or slow.
    """

    redis: Redis | None
    dedupe: UpdateDedupe
    rate_limiter: RateLimiter
    token_budget: TokenBudget | None
    cache: ContextCache
    job_locks: JobLocks
    breakers: RedisBreakerStateStore | None
    rate_limiters: RateLimiters
    """Limiters at a tenant's own rate, kept where ``rate_limiter`` keeps its counts."""
    token_budgets: TokenBudgets
    """Daily budgets of a tenant's own size, kept where ``token_budget`` keeps its counts."""

    async def aclose(self) -> None:
        """Stop background work, then close the client (and its pool)."""
        if self.redis is not None:
            from innertalk.infrastructure.redis.cache import RedisContextCache

            if isinstance(self.cache, RedisContextCache):
                await self.cache.close()
        if self.breakers is not None:
            await self.breakers.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def shared_state(settings: Settings, clock: Clock) -> SharedState:
    """The shared-state adapters ``REDIS_URL`` asks for (nothing connects yet)."""
    url, talk = settings.storage.redis_url, settings.talk
    tokens = talk.user_daily_tokens
    if url is None:
        return SharedState(
            redis=None,
            dedupe=LocalUpdateDedupe(clock.monotonic),
            rate_limiter=LocalRateLimiter(talk.rate_limit, timer=clock.monotonic),
            token_budget=LimitsTokenBudget(tokens) if tokens else None,
            cache=LocalContextCache(
                maxsize=CONTEXT_CACHE_SIZE, ttl=CONTEXT_CACHE_TTL, timer=clock.monotonic
            ),
            job_locks=LocalJobLocks(),
            breakers=None,
            rate_limiters=partial(LocalRateLimiter, timer=clock.monotonic),
            token_budgets=LimitsTokenBudget,
        )
    from innertalk.infrastructure.llm.redis_breaker import RedisBreakerStateStore
    from innertalk.infrastructure.redis.cache import RedisContextCache
    from innertalk.infrastructure.redis.connection import connect_redis
    from innertalk.infrastructure.redis.dedupe import RedisUpdateDedupe
    from innertalk.infrastructure.redis.locks import RedisJobLocks

    redis = connect_redis(url)
    # the context holds turn texts: sealed with the at-rest key whenever there is one
    codec = ContextCodec(at_rest_cipher(settings))
    pool = redis.connection_pool
    return SharedState(
        redis=redis,
        dedupe=RedisUpdateDedupe(redis, clock.monotonic),
        rate_limiter=LimitsRateLimiter(talk.rate_limit, url, pool=pool),
        token_budget=LimitsTokenBudget(tokens, url, pool=pool) if tokens else None,
        cache=RedisContextCache(
            redis, codec, ttl=CONTEXT_CACHE_TTL, local_size=CONTEXT_CACHE_SIZE
        ),
        job_locks=RedisJobLocks(redis),
        breakers=RedisBreakerStateStore(redis, clock),
        rate_limiters=partial(LimitsRateLimiter, storage_uri=url, pool=pool),
        token_budgets=partial(LimitsTokenBudget, storage_uri=url, pool=pool),
    )


@asynccontextmanager
async def open_inbox(settings: Settings, redis: Redis | None) -> AsyncIterator[UpdateInbox]:
    """The bot's durable inbox: a Redis stream with ``REDIS_URL`` (``redis``: the app's
    client), else a table/collection in ``DATABASE_URL``; payloads sealed with the key."""
    keys = settings.security.keys()
    seal = PayloadSeal(FieldCipher(keys) if keys else None)
    inbox: UpdateInbox
    try:
        if redis is not None:
            from innertalk.infrastructure.redis.inbox import RedisUpdateInbox

            inbox = RedisUpdateInbox(redis, seal)
        elif settings.storage.backend == "mongodb":
            from innertalk.infrastructure.storage.mongo.inbox import MongoUpdateInbox

            url, database = settings.storage.database_url, settings.storage.mongodb_database
            inbox = await MongoUpdateInbox.open(url, database, seal)
        else:
            inbox = await SqliteUpdateInbox.open(settings.storage.sqlite_path, seal)
    except InboxUnavailableError as error:
        raise ConfigError(f"DATABASE_URL: the update inbox cannot be used ({error})") from None
    try:
        yield inbox
    finally:
        await inbox.close()
