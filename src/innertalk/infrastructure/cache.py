"""The in-process conversation context cache (one instance; ``RedisContextCache`` shares it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

from innertalk.application.ports import CacheLookup
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import CONTEXT_CACHE


@dataclass(frozen=True, slots=True, eq=False)
class _Entry:
    """A person's cached context, or ``None``: invalidated (a tombstone, so a load that began
    before the invalidation cannot store what it read)."""

    context: ConversationContext | None


class LocalContextCache:
    """A bounded LRU of contexts that expire ``ttl`` seconds after they were stored.

    Counts hits and misses so operators (and the benchmark) can read the hit rate. The stamp
    of a lookup is the entry object itself: any ``put`` or ``invalidate`` replaces it.
    """

    def __init__(self, *, maxsize: int, ttl: float, timer: Callable[[], float]) -> None:
        self._entries: TTLCache[UserKey, _Entry] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self.hits = 0
        self.misses = 0

    async def lookup(self, key: UserKey) -> CacheLookup:
        entry = self._entries.get(key)
        context = entry.context if entry is not None else None
        if context is None:
            self.misses += 1
            CONTEXT_CACHE.labels(result="miss").inc()
        else:
            self.hits += 1
            CONTEXT_CACHE.labels(result="hit").inc()
        return CacheLookup(context, entry)

    async def fill(self, context: ConversationContext, stamp: object) -> None:
        if self._entries.get(context.key) is stamp:
            self._entries[context.key] = _Entry(context)

    async def put(self, context: ConversationContext) -> None:
        self._entries[context.key] = _Entry(context)

    async def invalidate(self, key: UserKey) -> None:
        self._entries[key] = _Entry(None)
