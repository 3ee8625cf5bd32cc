"""Per-user ordering inside one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from innertalk.domain.users import UserKey


class LocalUserLocks:
    """One FIFO ``asyncio.Lock`` per person, dropped as soon as nobody holds or awaits it.

    ``asyncio.Lock`` hands itself to waiters in arrival order and never lets a newcomer
    jump the queue, which is exactly the ordering guarantee messages need.
    """

    def __init__(self) -> None:
        self._locks: dict[UserKey, tuple[asyncio.Lock, list[int]]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: UserKey) -> AsyncIterator[None]:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]
