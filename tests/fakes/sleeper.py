"""A ``sleep`` that returns only when the test says so, for background loops paced in real
time (renewing a Redis TTL, retrying after an outage): each round runs on ``tick``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

WAIT_LIMIT = 5.0


class ManualSleep:
    """Pass as ``sleep=``; ``await tick()`` wakes whoever sleeps on it."""

    def __init__(self) -> None:
        self.requested: list[float] = []
        self._sleepers: list[asyncio.Future[None]] = []
        self._arrived = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.requested.append(seconds)
        wake = asyncio.get_running_loop().create_future()
        self._sleepers.append(wake)
        self._arrived.set()
        await wake

    async def asleep(self) -> None:
        """Wait (at most 5 s) until someone sleeps on this clock."""
        async with asyncio.timeout(WAIT_LIMIT):
            while not self._sleepers:
                self._arrived.clear()
                await self._arrived.wait()

    async def tick(self, *, then_asleep: bool = True) -> None:
        """Wake every sleeper; with ``then_asleep``, wait until the next round sleeps again."""
        await self.asleep()
        sleepers, self._sleepers = self._sleepers, []
        for wake in sleepers:
            if not wake.done():
                wake.set_result(None)
        if then_asleep:
            await self.asleep()


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (at most 5 s, polling the event loop) until ``condition()`` holds — for work done
    over a socket, which no fake clock can move."""
    async with asyncio.timeout(WAIT_LIMIT):
        while not condition():  # noqa: ASYNC110 - the condition is another object's state
            await asyncio.sleep(0.005)
