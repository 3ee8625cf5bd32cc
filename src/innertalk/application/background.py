"""Fire-and-forget tasks: started, not awaited by whoever started them, yet never lost.

The event loop keeps only a weak reference to a task, so a task nobody holds can be
garbage-collected mid-run; ``Background`` holds each one until it ends. At shutdown the owner
gives the remaining ones a bounded time to finish, and cancels the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Background:
    """The tasks one owner started and has not seen end."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str | None = None) -> None:
        """Run ``work`` as a task held until it ends.

        ``RuntimeError`` without a running event loop (``work`` is closed unstarted then)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            work.close()  # never started: no "coroutine was never awaited" warning
            raise
        task = loop.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        """Wait until every task has ended (each one logs its own errors)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def cancel(self) -> None:
        """Cancel every task still running."""
        for task in list(self._tasks):
            task.cancel()

    async def close(self, timeout: float, *, await_cancelled: bool = True) -> None:  # noqa: ASYNC109 - a budget
        """Wait up to ``timeout`` s for the tasks; cancel the ones still running.

        ``await_cancelled``: also wait until the cancelled ones have ended (off when their
        teardown may hang, e.g. a Redis call cut off after a connect timeout)."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in late:
            task.cancel()
        if late and await_cancelled:
            await asyncio.wait(late)
