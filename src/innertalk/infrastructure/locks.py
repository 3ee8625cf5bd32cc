"""Per-user ordering and job locks inside one process."""

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


class LocalJobLocks:
    """``JobLocks`` within one process: which names are held, and by which holder."""

    def __init__(self) -> None:
        self._held: dict[str, LocalJobLock] = {}

    async def try_acquire(self, name: str) -> LocalJobLock | None:
        if name in self._held:
            return None
        lock = self._held[name] = LocalJobLock(self._held, name)
        return lock


class LocalJobLock:
    """A held ``LocalJobLocks`` name; releasing it again (even after someone else took the
    name) changes nothing."""

    def __init__(self, held: dict[str, LocalJobLock], name: str) -> None:
        self._held = held
        self.name = name

    async def release(self) -> None:
        if self._held.get(self.name) is self:
            del self._held[self.name]
