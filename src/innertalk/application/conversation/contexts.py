"""Reading a person's conversation context: the cache first, one store round trip on a miss."""

from __future__ import annotations

import asyncio

from innertalk.application.ports import ContextCache, ConversationStore
from innertalk.domain.conversation import ConversationContext
from innertalk.domain.users import UserKey


class ContextLoader:
    """Loads and remembers contexts. Every change a use case makes goes through ``remember``
    (the new context replaces the cached one) or ``forget`` (the next read goes to the store).

    Concurrent loads of one person share one flight: however many ask at once, the cache is
    asked once and the store read at most once. A change drops the flight, so a load that
    starts after a change never joins a read made before it, and the cache refuses to keep
    what that older read returns (``ContextCache.fill`` with the lookup's stamp).
    """

    def __init__(
        self,
        store: ConversationStore,
        cache: ContextCache,
        turn_limit: int,
        opening_limit: int = 0,
    ) -> None:
        self._store = store
        self._cache = cache
        self.turn_limit = turn_limit
        self.opening_limit = opening_limit
        """The open session's first turns loaded besides its newest (the pinned opening's
        candidates, ``ConversationContext.opening_turns``); 0 loads none."""
        self._flights: dict[UserKey, asyncio.Future[ConversationContext]] = {}

    @property
    def limits(self) -> tuple[int, int]:
        """``turn_limit`` and ``opening_limit``, as ``ConversationContext.with_turns`` wants."""
        return self.turn_limit, self.opening_limit

    async def load(self, key: UserKey) -> ConversationContext:
        while (flight := self._flights.get(key)) is not None:
            try:  # shielded: a waiter that gives up must not cancel the others' read
                return await asyncio.shield(flight)
            except _AbandonedError:
                continue  # the caller that was reading gave up; read for ourselves
        flight = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        try:
            context = await self._load(key)
        except BaseException as error:
            reason = error if isinstance(error, Exception) else _AbandonedError()
            self._land(key, flight, error=reason)
            raise
        self._land(key, flight, context=context)
        return context

    async def remember(self, context: ConversationContext) -> None:
        self._flights.pop(context.key, None)
        try:
            await self._cache.put(context)
        finally:
            self._flights.pop(context.key, None)

    async def forget(self, key: UserKey) -> None:
        self._flights.pop(key, None)
        try:
            await self._cache.invalidate(key)
        finally:
            self._flights.pop(key, None)

    async def _load(self, key: UserKey) -> ConversationContext:
        found = await self._cache.lookup(key)
        if found.context is not None:
            return found.context
        context = await self._store.load_context(key, self.turn_limit, self.opening_limit)
        await self._cache.fill(context, found.stamp)
        return context

    def _land(
        self,
        key: UserKey,
        flight: asyncio.Future[ConversationContext],
        *,
        context: ConversationContext | None = None,
        error: BaseException | None = None,
    ) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if error is not None:
            flight.set_exception(error)
            flight.exception()  # retrieved: nobody may have been waiting
        else:
            assert context is not None
            flight.set_result(context)


class _AbandonedError(Exception):
    """The caller reading a context for the others was cancelled before it finished."""
