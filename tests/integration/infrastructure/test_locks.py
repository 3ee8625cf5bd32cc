"""Per-user locks: order within a person, no leak of lock objects."""

from __future__ import annotations

import asyncio

from innertalk.domain.users import UserKey
from innertalk.infrastructure.locks import LocalUserLocks


async def test_holders_of_one_key_run_in_arrival_order() -> None:
    """Tasks holding the same key's lock run one at a time, first come first served."""
    locks = LocalUserLocks()
    key = UserKey("bot", 1)
    order: list[int] = []

    async def work(n: int) -> None:
        async with locks.hold(key):
            order.append(n)
            await asyncio.sleep(0)
            order.append(n)

    await asyncio.gather(*(work(n) for n in range(10)))
    assert order == [n for n in range(10) for _ in range(2)]


async def test_unused_locks_are_released() -> None:
    """Once nobody holds or waits for a key, its lock is forgotten (no memory growth)."""
    locks = LocalUserLocks()
    for n in range(100):
        async with locks.hold(UserKey("bot", n)):
            pass
    assert len(locks) == 0
