"""Reading a person's conversation context: the cache first, one store round trip on a miss."""

from __future__ import annotations

from innertalk.application.ports import ContextCache, ConversationStore
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey


class ContextLoader:
    """Loads and remembers contexts. Every change a use case makes goes through ``remember``
    (the new context replaces the cached one) or ``forget`` (the next read goes to the store).
    """

    def __init__(self, store: ConversationStore, cache: ContextCache, turn_limit: int) -> None:
        self._store = store
        self._cache = cache
        self.turn_limit = turn_limit

    async def load(self, key: UserKey) -> ConversationContext:
        cached = await self._cache.get(key)
        if cached is not None:
            return cached
        context = await self._store.load_context(key, self.turn_limit)
        await self._cache.put(context)
        return context

    async def remember(self, context: ConversationContext) -> None:
        await self._cache.put(context)

    async def forget(self, key: UserKey) -> None:
        await self._cache.invalidate(key)
