"""The write-behind queue: batching, retries, read-your-writes and a lossless shutdown."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.write_behind import (
    WriteBehindClosedError,
    WriteBehindDrainError,
    WriteBehindStorage,
)
from tests.fakes.clock import FakeClock
from tests.fakes.storage import FlakyStorage

ALICE = UserKey("bot", 1)
BOB = UserKey("bot", 2)


def turns(clock: FakeClock, key: UserKey, count: int, session: str = "s1") -> list[Turn]:
    start = clock.now()
    return [
        Turn(
            f"{key.user_id}-{session}-{n}",
            key,
            session,
            Role.USER,
            f"message {n}",
            start + timedelta(microseconds=n),
        )
        for n in range(count)
    ]


async def test_graceful_shutdown_persists_every_queued_turn(clock: FakeClock) -> None:
    """1,000 turns written one by one are all stored after close()."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock)
    session = Session("s1", ALICE, clock.now())
    await queue.write([session])
    for turn in turns(clock, ALICE, 1000):
        await queue.write([turn])
    await queue.close()
    assert len(await inner.session_turns(ALICE, "s1", 5000)) == 1000


async def test_batches_hold_at_most_max_batch_records(clock: FakeClock) -> None:
    """No batch sent to the store is larger than max_batch."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_batch=100)
    await queue.write(turns(clock, ALICE, 1000))
    await queue.close()
    assert max(inner.write_sizes) <= 100
    assert sum(inner.write_sizes) == 1000


async def test_a_write_returns_before_the_store_is_reached(clock: FakeClock) -> None:
    """write() does not wait for the store, even when the store is stuck."""
    inner = FlakyStorage()
    inner.gate = asyncio.Event()
    queue = WriteBehindStorage(inner, clock)
    await asyncio.wait_for(queue.write(turns(clock, ALICE, 3)), timeout=1)
    assert queue.depth == 3
    inner.gate.set()
    await queue.close()


async def test_a_lone_record_is_flushed_without_more_writes(clock: FakeClock) -> None:
    """A single queued record reaches the store on its own, within the batch delay."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_delay=0.05)
    await queue.write(turns(clock, ALICE, 1))
    await asyncio.wait_for(inner.stored.wait(), timeout=2)
    assert inner.writes == 1
    await queue.close()


async def test_a_failing_store_is_retried_with_backoff_and_loses_nothing(
    clock: FakeClock,
) -> None:
    """Failed flushes are retried with growing, capped delays until every record lands."""
    inner = FlakyStorage(fail_next=8)
    queue = WriteBehindStorage(inner, clock, retry_initial=0.1, retry_max=2.0)
    await queue.write([Session("s1", ALICE, clock.now()), *turns(clock, ALICE, 250)])
    await queue.flush()
    assert queue.failed_flushes == 8
    assert len(await inner.session_turns(ALICE, "s1", 1000)) == 250
    assert all(delay <= 2.0 for delay in clock.slept)
    assert clock.slept[3] > clock.slept[0]
    await queue.close()


async def test_reads_see_the_readers_own_queued_writes(clock: FakeClock) -> None:
    """A read right after a write includes it, though the batch delay has not passed."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_delay=60)
    await queue.write([Session("s1", ALICE, clock.now()), *turns(clock, ALICE, 2)])
    context = await asyncio.wait_for(queue.load_context(ALICE, 10), timeout=2)
    assert [turn.id for turn in context.recent_turns] == ["1-s1-0", "1-s1-1"]
    await queue.close()


async def test_reads_of_others_do_not_wait_for_the_queue(clock: FakeClock) -> None:
    """A person without queued writes is read at once, even while the store is failing."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_delay=60)
    inner.down = True
    await queue.write(turns(clock, ALICE, 2))
    context = await asyncio.wait_for(queue.load_context(BOB, 10), timeout=1)
    assert context.recent_turns == ()
    assert queue.pending(ALICE) == 2
    inner.down = False
    await queue.close()


async def test_writes_wait_when_max_pending_is_reached(clock: FakeClock) -> None:
    """Past max_pending queued records a writer waits for room instead of growing memory."""
    inner = FlakyStorage()
    inner.gate = asyncio.Event()
    queue = WriteBehindStorage(inner, clock, max_pending=10, max_batch=5)
    await queue.write(turns(clock, ALICE, 10))
    blocked = asyncio.create_task(queue.write(turns(clock, BOB, 1)))
    await asyncio.sleep(0.01)
    assert not blocked.done()
    inner.gate.set()
    await asyncio.wait_for(blocked, timeout=2)
    await queue.close()
    assert sum(inner.write_sizes) == 11


async def test_writes_after_close_are_refused(clock: FakeClock) -> None:
    """Once shutdown has begun a write fails loudly instead of vanishing."""
    queue = WriteBehindStorage(FlakyStorage(), clock)
    await queue.close()
    with pytest.raises(WriteBehindClosedError):
        await queue.write(turns(clock, ALICE, 1))


async def test_shutdown_with_the_store_down_reports_what_was_not_stored(
    clock: FakeClock,
) -> None:
    """If the store never comes back, close() gives up after drain_timeout and says how many."""
    inner = FlakyStorage()
    inner.down = True
    queue = WriteBehindStorage(inner, clock, drain_timeout=0.2)
    await queue.write(turns(clock, ALICE, 7))
    with pytest.raises(WriteBehindDrainError, match="7 records"):
        await queue.close()


async def test_settled_waits_for_one_persons_writes_in_a_normal_batch(clock: FakeClock) -> None:
    """settled(key) returns once that person's queued writes are stored, and does not hurry
    the batch: writes queued together still go to the store together."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_delay=0.05)
    await queue.settled(ALICE)  # nothing queued: at once
    await queue.write(turns(clock, ALICE, 2))
    await queue.write(turns(clock, BOB, 3))
    await asyncio.wait_for(queue.settled(ALICE), timeout=2)
    assert queue.pending(ALICE) == 0
    assert len(await inner.session_turns(ALICE, "s1", 10)) == 2
    assert inner.write_sizes == [5], "one batch of everything queued, not an early flush"
    await queue.close()
