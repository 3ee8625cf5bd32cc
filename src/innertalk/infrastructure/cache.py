"""The in-process conversation context cache."""

from __future__ import annotations

from collections.abc import Callable

from cachetools import TTLCache

from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey
from innertalk.infrastructure.metrics import CONTEXT_CACHE


class MemoryContextCache:
    """A bounded LRU of contexts that expire ``ttl`` seconds after they were stored.

    Counts hits and misses so operators (and the benchmark) can read the hit rate.
    """

    def __init__(self, *, maxsize: int, ttl: float, timer: Callable[[], float]) -> None:
        self._entries: TTLCache[UserKey, ConversationContext] = TTLCache(
            maxsize=maxsize, ttl=ttl, timer=timer
        )
        self.hits = 0
        self.misses = 0

    async def get(self, key: UserKey) -> ConversationContext | None:
        context = self._entries.get(key)
        if context is None:
            self.misses += 1
            CONTEXT_CACHE.labels(result="miss").inc()
        else:
            self.hits += 1
            CONTEXT_CACHE.labels(result="hit").inc()
        return context

    async def put(self, context: ConversationContext) -> None:
        self._entries[context.key] = context

    async def invalidate(self, key: UserKey) -> None:
        self._entries.pop(key, None)
