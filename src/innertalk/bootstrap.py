"""The composition root: builds every adapter and service from ``Settings`` and closes them.

It is the only module that sees settings, adapters and use cases at once. Entry points
(console, and later the bot and the HTTP server) get one frozen ``App`` from ``build_app``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import structlog

from innertalk.application.contexts import ContextLoader
from innertalk.application.ports import Clock, LanguageModel, Storage
from innertalk.application.profiles import ProfileService
from innertalk.application.sessions import SessionLifecycle, SessionService
from innertalk.application.talk import TalkPolicy, TalkService
from innertalk.config import ConfigError, Settings
from innertalk.domain.sessions import SessionPolicy
from innertalk.infrastructure.cache import MemoryContextCache
from innertalk.infrastructure.clock import SystemClock
from innertalk.infrastructure.llm.offline import OfflineModel
from innertalk.infrastructure.locks import LocalUserLocks
from innertalk.infrastructure.storage.sqlite import SqliteStorage
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage

log = structlog.get_logger(__name__)

CONTEXT_CACHE_SIZE = 50_000
CONTEXT_CACHE_TTL = 30 * 60.0


@dataclass(frozen=True, slots=True)
class App:
    """Everything an entry point needs, built once per process."""

    settings: Settings
    clock: Clock
    storage: WriteBehindStorage
    model: LanguageModel
    talk: TalkService
    sessions: SessionService
    profiles: ProfileService


async def open_storage(settings: Settings, *, migrate: bool | None = None) -> Storage:
    """The storage backend ``DATABASE_URL`` names, migrated when ``AUTO_MIGRATE`` is on.

    A database that cannot be opened is a configuration problem: ``ConfigError`` names it.
    """
    path = settings.storage.sqlite_path
    try:
        storage = await SqliteStorage.open(path)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(f"DATABASE_URL: cannot open {path}: {error}") from None
    if settings.storage.auto_migrate if migrate is None else migrate:
        await storage.migrate()
    return storage


def choose_model(settings: Settings) -> LanguageModel:
    """The language model chain; the offline responder answers when no provider is usable."""
    configured = settings.llm.configured_keys()
    if configured:
        log.warning("llm.providers_not_available", configured=configured, using="offline")
    return OfflineModel()


@asynccontextmanager
async def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    model: LanguageModel | None = None,
    sessions_per_day: int | None = None,
) -> AsyncIterator[App]:
    """Build the app; on exit, flush every queued write and close every connection.

    ``sessions_per_day`` overrides ``SESSIONS_PER_DAY`` (the console chat has no limit).
    """
    clock = clock or SystemClock()
    storage = WriteBehindStorage(await open_storage(settings), clock)
    await storage.start()
    try:
        offline = OfflineModel()
        model = model or choose_model(settings)
        locks = LocalUserLocks()
        cache = MemoryContextCache(
            maxsize=CONTEXT_CACHE_SIZE, ttl=CONTEXT_CACHE_TTL, timer=clock.monotonic
        )
        contexts = ContextLoader(storage, cache, settings.talk.context_turns)
        policy = TalkPolicy(
            history_token_budget=settings.talk.history_token_budget,
            reply_max_tokens=settings.talk.reply_max_tokens,
            session_token_budget=settings.talk.session_token_budget,
        )
        lifecycle = SessionLifecycle(
            store=storage,
            contexts=contexts,
            model=model,
            fallback=offline,
            clock=clock,
            policy=SessionPolicy(
                sessions_per_day=settings.talk.sessions_per_day
                if sessions_per_day is None
                else sessions_per_day,
                idle_timeout=timedelta(minutes=settings.talk.session_idle_minutes),
            ),
            summary_max_turns=settings.talk.summary_max_turns,
        )
        yield App(
            settings=settings,
            clock=clock,
            storage=storage,
            model=model,
            talk=TalkService(
                store=storage,
                contexts=contexts,
                locks=locks,
                sessions=lifecycle,
                model=model,
                clock=clock,
                policy=policy,
            ),
            sessions=SessionService(lifecycle=lifecycle, contexts=contexts, locks=locks),
            profiles=ProfileService(store=storage, contexts=contexts, locks=locks, clock=clock),
        )
    finally:
        await storage.close()
