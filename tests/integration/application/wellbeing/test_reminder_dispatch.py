"""The reminder dispatcher at scale: pacing within Telegram's limits, outages, several bot
instances sharing one database, the write-behind queue, and the loop."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from innertalk.application.wellbeing.reminder_dispatch import DispatchPolicy, Pacer, SendOutcome
from innertalk.domain.users import Language, UserKey
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage
from tests.fakes.clock import FakeClock
from tests.fakes.reminders import RecordingSender, ReminderStack, reminder_stack
from tests.fakes.storage import FlakyStorage

PEOPLE = [UserKey("bot-a" if n % 3 else "bot-b", 100 + n) for n in range(60)]
BERLIN = "Europe/Berlin"


async def enroll(stack: ReminderStack, people: list[UserKey], at: time = time(14)) -> None:
    for key in people:
        await stack.profiles.ensure(key, language=Language.EN, consent=True)
        await stack.profiles.update(key, timezone=BERLIN)
        await stack.reminders.enable(key, at)


def past_14_berlin(clock: FakeClock) -> None:
    """The FakeClock starts at 13:00 Berlin: move a minute past 14:00."""
    clock.advance(3660)


async def test_the_pacer_spaces_calls_without_real_sleeping(clock: FakeClock) -> None:
    """At 25 a second, 51 calls take 2 s of clock time: 0.04 s apart, the first at once."""
    pacer = Pacer(clock, 25)
    start = clock.monotonic()
    moments = []
    for _ in range(51):
        await pacer.wait()
        moments.append(clock.monotonic() - start)
    assert moments[0] == 0
    assert moments[-1] == pytest.approx(2.0)
    assert min(b - a for a, b in pairwise(moments)) == pytest.approx(0.04)


async def test_sends_stay_within_the_rate_limit(clock: FakeClock) -> None:
    """60 due reminders at 25/s: no one-second window holds more than 25 sends."""
    stack = reminder_stack(LocalStorage(), clock, DispatchPolicy(sends_per_second=25, batch=16))
    await enroll(stack, PEOPLE)
    past_14_berlin(clock)
    sender = RecordingSender(clock)
    assert (await stack.reminders.dispatch_once(sender)).sent == 60
    moments = [call.at for call in sender.calls]
    assert all(
        later - earlier >= 1.0 - 1e-9
        for earlier, later in zip(moments, moments[25:], strict=False)
    )
    assert moments[-1] - moments[0] == pytest.approx(59 / 25)
    assert sorted(sender.keys, key=str) == sorted(PEOPLE, key=str)


async def test_an_outage_ends_the_round_early(clock: FakeClock) -> None:
    """After outage_after failures in a row the round stops; the rest stay due for later."""
    stack = reminder_stack(LocalStorage(), clock, DispatchPolicy(outage_after=5))
    await enroll(stack, PEOPLE[:20])
    past_14_berlin(clock)
    sender = RecordingSender(clock, outcome=SendOutcome.FAILED)
    report = await stack.reminders.dispatch_once(sender)
    assert (report.failed, len(sender.calls)) == (5, 5)
    assert len(await stack.storage.due_reminders(clock.now(), 100)) == 15
    sender.outcome = SendOutcome.SENT
    assert (await stack.reminders.dispatch_once(sender)).sent == 15


@pytest.fixture
async def two_instances(
    tmp_path: Path, clock: FakeClock
) -> AsyncIterator[tuple[ReminderStack, ReminderStack]]:
    """Two bot processes' storages (write-behind over SQLite) on one database file."""
    path = tmp_path / "shared.sqlite3"
    stores = []
    for _ in range(2):
        sqlite = await SqliteStorage.open(path)
        await sqlite.migrate()
        stores.append(WriteBehindStorage(sqlite, clock))
    try:
        yield reminder_stack(stores[0], clock), reminder_stack(stores[1], clock)
    finally:
        for store in stores:
            await store.close()


async def test_two_dispatchers_sharing_a_database_send_each_reminder_once(
    two_instances: tuple[ReminderStack, ReminderStack], clock: FakeClock
) -> None:
    """Two instances dispatching the same due reminders at once send each exactly once."""
    first, second = two_instances
    await enroll(first, PEOPLE)
    past_14_berlin(clock)
    sender = RecordingSender(clock)
    reports = await asyncio.gather(
        first.reminders.dispatch_once(sender), second.reminders.dispatch_once(sender)
    )
    assert Counter(sender.keys) == Counter(PEOPLE)
    assert sum(report.sent for report in reports) == len(PEOPLE)
    assert len(await second.storage.due_reminders(clock.now(), 100)) == 0
    again = await asyncio.gather(
        first.reminders.dispatch_once(sender), second.reminders.dispatch_once(sender)
    )
    assert [report.sent for report in again] == [0, 0]


async def test_due_reminders_see_writes_still_in_the_queue(clock: FakeClock) -> None:
    """An enable or a stop still queued in write-behind is what the dispatcher acts on."""
    inner = FlakyStorage()
    storage = WriteBehindStorage(inner, clock, max_delay=3600)
    stack = reminder_stack(storage, clock)
    try:
        await enroll(stack, PEOPLE[:2])
        await stack.reminders.stop(PEOPLE[1])
        assert storage.depth > 0
        past_14_berlin(clock)
        sender = RecordingSender(clock)
        assert (await stack.reminders.dispatch_once(sender)).sent == 1
        assert sender.keys == [PEOPLE[0]]
    finally:
        await storage.close()


async def test_a_claim_lands_the_persons_queued_writes_first(clock: FakeClock) -> None:
    """claim_reminder on write-behind settles that person's queued settings, then compares."""
    storage = WriteBehindStorage(LocalStorage(), clock, max_delay=3600)
    stack = reminder_stack(storage, clock)
    try:
        await enroll(stack, PEOPLE[:1])
        await storage.flush()
        settings = await storage.inner.get_reminder(PEOPLE[0])
        queued = await stack.reminders.enable(PEOPLE[0], time(15))
        assert storage.pending(PEOPLE[0]) == 1
        assert settings is not None
        assert settings.next_due_at is not None
        assert not await storage.claim_reminder(PEOPLE[0], settings.next_due_at, None, clock.now())
        assert queued.next_due_at is not None
        assert await storage.claim_reminder(PEOPLE[0], queued.next_due_at, None, clock.now())
        assert storage.pending(PEOPLE[0]) == 0
    finally:
        await storage.close()


async def test_the_loop_dispatches_every_interval_until_cancelled(clock: FakeClock) -> None:
    """run(sender) dispatches at once and then every interval on the injected clock."""
    stack = reminder_stack(LocalStorage(), clock, DispatchPolicy(interval=30))
    await enroll(stack, PEOPLE[:1], at=time(13, 1))
    sender = RecordingSender(clock)
    task = asyncio.create_task(stack.reminders.run(sender))
    for _ in range(20):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert clock.slept[:3] == [30, 30, 30]
    assert sender.keys == PEOPLE[:1]


async def test_a_failing_round_does_not_stop_the_loop(clock: FakeClock) -> None:
    """A store error in one round is logged; the loop sleeps and tries again."""
    inner = LocalStorage()
    stack = reminder_stack(inner, clock, DispatchPolicy(interval=30))
    calls = 0
    due = inner.due_reminders

    async def failing_once(now: object, limit: int) -> list[object]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database away")
        return await due(now, limit)  # type: ignore[arg-type]

    inner.due_reminders = failing_once  # type: ignore[assignment,method-assign]
    task = asyncio.create_task(stack.reminders.run(RecordingSender(clock)))
    for _ in range(10):
        await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert calls >= 2
    assert clock.slept[0] == 30
    assert timedelta(seconds=sum(clock.slept)) >= timedelta(seconds=60)
