"""Background tasks: held until they end, bounded at shutdown, never lost or leaked."""

from __future__ import annotations

import asyncio
import warnings

import pytest

from innertalk.application.background import Background


async def test_a_task_is_held_until_it_ends() -> None:
    """A spawned task is kept (the loop holds only weak references) and dropped once done."""
    background, release = Background(), asyncio.Event()
    background.spawn(release.wait(), name="waiting")
    await asyncio.sleep(0)
    assert len(background) == 1
    release.set()
    await background.settle()
    assert len(background) == 0


async def test_close_lets_quick_tasks_finish_and_cancels_the_late_ones() -> None:
    """Shutdown waits within its budget for what can finish, and cancels what cannot."""
    background, finished, never = Background(), [], asyncio.Event()

    async def quick() -> None:
        await asyncio.sleep(0)
        finished.append("quick")

    async def stuck() -> None:
        try:
            await never.wait()
        except asyncio.CancelledError:
            finished.append("cancelled")
            raise

    background.spawn(quick())
    background.spawn(stuck())
    await background.close(0.05)
    assert sorted(finished) == ["cancelled", "quick"]
    assert len(background) == 0


async def test_close_without_awaiting_the_cancelled_ones_returns_at_once() -> None:
    """``await_cancelled=False`` cancels a late task without waiting for its teardown."""
    background, never = Background(), asyncio.Event()
    background.spawn(never.wait())
    await background.close(0, await_cancelled=False)
    assert len(background) == 1  # cancelled, its teardown not awaited
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(background) == 0


async def test_settle_swallows_the_tasks_errors() -> None:
    """A failing background task never fails whoever waits for the rest."""
    background = Background()

    async def broken() -> None:
        raise ConnectionError

    background.spawn(broken())
    await background.settle()
    assert len(background) == 0


def test_spawn_without_a_loop_raises_and_leaves_no_unawaited_coroutine() -> None:
    """Outside an event loop the caller learns it (and falls back), with no warning left."""
    background = Background()

    async def work() -> None:
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError):
            background.spawn(work())
    assert len(background) == 0
