"""Retention: old turns are erased on schedule; newer ones and other records stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from innertalk.application.operations.retention import RetentionService
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.local.storage import LocalStorage
from tests.fakes.clock import FakeClock

KEY = UserKey("bot", 1)


async def test_turns_older_than_the_retention_are_purged(clock: FakeClock) -> None:
    """With 30 days, a 31-day-old turn goes, a 29-day-old turn and the session stay."""
    storage = LocalStorage()
    now = clock.now()
    await storage.write(
        [
            Session("s", KEY, now - timedelta(days=40), summary=None),
            Turn("old", KEY, "s", Role.USER, "old", now - timedelta(days=31)),
            Turn("new", KEY, "s", Role.USER, "new", now - timedelta(days=29)),
        ]
    )
    service = RetentionService(store=storage, clock=clock, days=30)
    assert await service.purge_once() == 1
    assert [turn.id for turn in await storage.session_turns(KEY, "s", 10)] == ["new"]
    assert len(await storage.sessions(KEY, 10)) == 1


async def test_the_job_runs_every_interval_until_cancelled(clock: FakeClock) -> None:
    """run() purges immediately and then after each interval, on the injected clock."""
    storage = LocalStorage()
    service = RetentionService(store=storage, clock=clock, days=1, interval=3600)
    task = asyncio.create_task(service.run())
    for _ in range(5):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert clock.slept[:2] == [3600, 3600]
    assert storage.writes >= 2
