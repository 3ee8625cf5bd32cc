"""Poison records in the write-behind queue: split batches, dead letters, nothing blocked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bson.errors import InvalidDocument
from prometheus_client import REGISTRY
from pymongo.errors import AutoReconnect, BulkWriteError, DocumentTooLarge, WriteError

from innertalk.application.ports import DeadLetter, Record
from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.landing import permanent
from innertalk.infrastructure.storage.write_behind import SETTLED_READS, WriteBehindStorage
from tests.fakes.clock import FakeClock
from tests.fakes.storage import FlakyStorage

ALICE = UserKey("bot", 1)
BOB = UserKey("bot", 2)
BROKEN = "hello \udc80 sad"
"""Text with a lone surrogate: what ``printf '\\xed\\xa0\\x80'`` becomes once decoded."""


class TriedStorage(FlakyStorage):
    """Sets ``tried`` once ``attempts`` writes were attempted."""

    def __init__(self, *, attempts: int) -> None:
        super().__init__()
        self.tried = asyncio.Event()
        self._attempts = attempts

    async def write(self, records: Sequence[Record]) -> None:
        if len(self.write_sizes) + 1 >= self._attempts:
            self.tried.set()
        await super().write(records)


def turn(clock: FakeClock, key: UserKey, n: int, text: str = "fine") -> Turn:
    at = clock.now() + timedelta(microseconds=n)
    return Turn(f"{key.user_id}-{n}", key, "s1", Role.USER, text, at)


def dead_letter_count(kind: str) -> float:
    sample = REGISTRY.get_sample_value("innertalk_write_behind_dead_letters_total", {"kind": kind})
    return sample or 0.0


async def test_a_poison_record_is_dead_lettered_and_the_rest_of_its_batch_lands(
    clock: FakeClock,
) -> None:
    """One unencodable turn in a batch of 8: seven land, one dead letter with ids only."""
    inner = FlakyStorage()
    alerts: list[DeadLetter] = []

    async def alert(letter: DeadLetter) -> None:
        alerts.append(letter)

    queue = WriteBehindStorage(inner, clock, max_batch=100, on_dead_letter=alert)
    before = dead_letter_count("Turn")
    records = [turn(clock, ALICE, n, BROKEN if n == 5 else "fine") for n in range(7)]
    await queue.write([Session("s1", ALICE, clock.now()), *records])
    await queue.close()
    stored = await inner.session_turns(ALICE, "s1", 100)
    assert [item.id for item in stored] == [f"1-{n}" for n in range(7) if n != 5]
    letters = await inner.dead_letters(10)
    assert [(x.key, x.record_id, x.kind, x.error) for x in letters] == [
        (ALICE, "1-5", "Turn", "UnicodeEncodeError")
    ]
    assert alerts == letters
    assert dead_letter_count("Turn") == before + 1
    assert "sad" not in repr(letters), "a dead letter never holds the record's content"


async def test_a_data_error_is_split_at_once_without_sleeping(clock: FakeClock) -> None:
    """An encoding error is permanent: the batch is bisected with no backoff at all."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock)
    await queue.write([turn(clock, ALICE, n, BROKEN if n == 0 else "ok") for n in range(8)])
    await queue.close()
    assert clock.slept == []
    assert inner.write_sizes[:4] == [8, 4, 2, 1], "halved down to the poison record"
    assert len(await inner.session_turns(ALICE, "s1", 100)) == 7


async def test_a_record_failing_alone_while_the_store_answers_is_given_up(
    clock: FakeClock,
) -> None:
    """An unknown error that follows one record is retried solo_attempts times, then set
    aside once a ping shows the store is up; the others land."""
    inner = FlakyStorage()
    inner.cursed = {"1-2"}
    queue = WriteBehindStorage(inner, clock, solo_attempts=3)
    await queue.write([turn(clock, ALICE, n) for n in range(4)])
    await queue.close()
    assert [x.error for x in await inner.dead_letters(10)] == ["CursedRecordError"]
    assert len(await inner.session_turns(ALICE, "s1", 100)) == 3


async def test_nothing_is_given_up_while_the_store_is_down(clock: FakeClock) -> None:
    """With the store unreachable (ping fails too) the batch is retried whole, never split
    or dead-lettered, and lands when the store is back."""
    inner = TriedStorage(attempts=10)
    inner.down = True
    queue = WriteBehindStorage(inner, clock, solo_attempts=2)
    await queue.write([turn(clock, ALICE, n) for n in range(4)])
    await asyncio.wait_for(inner.tried.wait(), timeout=5)
    assert set(inner.write_sizes) == {4}
    inner.down = False
    await queue.close()
    assert await inner.dead_letters(10) == []
    assert len(await inner.session_turns(ALICE, "s1", 100)) == 4


async def test_a_read_of_the_poisoned_person_does_not_wait_forever(clock: FakeClock) -> None:
    """The person whose record is poison is read as soon as it is set aside."""
    inner = FlakyStorage()
    queue = WriteBehindStorage(inner, clock, max_delay=60)
    await queue.write([Session("s1", ALICE, clock.now()), turn(clock, ALICE, 0, BROKEN)])
    await queue.write([turn(clock, BOB, 1)])
    context = await asyncio.wait_for(queue.load_context(ALICE, 10), timeout=2)
    assert context.session is not None
    assert context.recent_turns == ()
    assert queue.pending(ALICE) == 0
    await queue.close()


async def test_every_read_port_method_waits_and_nothing_else_does(clock: FakeClock) -> None:
    """The guard covers every method of the read ports (found from the ports, not listed by
    hand); ping and screen state pass straight through, even while writes are stuck."""
    assert {"load_context", "get_profile", "moods", "due_reminders", "claim_reminder"} <= (
        SETTLED_READS
    )
    assert {"delete_user", "forget_summaries", "bot_stats", "purge_turns_before"} <= (
        SETTLED_READS
    )
    assert not {"write", "ping", "migrate", "fsm_get", "dead_letters"} & SETTLED_READS
    inner = FlakyStorage()
    inner.gate = asyncio.Event()
    queue = WriteBehindStorage(inner, clock)
    await queue.write([turn(clock, ALICE, 0)])
    await asyncio.wait_for(queue.ping(), timeout=1)
    assert await asyncio.wait_for(queue.fsm_get("k"), timeout=1) == (None, {})
    stats = asyncio.create_task(queue.bot_stats("bot", clock.now()))
    await asyncio.sleep(0.01)
    assert not stats.done(), "a read naming nobody waits for everything queued"
    inner.gate.set()
    await asyncio.wait_for(stats, timeout=2)
    await queue.close()


def test_permanent_errors_are_data_errors_not_outages() -> None:
    """Encoding and integrity errors are permanent; a lost connection or a lock is not."""
    import sqlite3

    assert permanent(UnicodeEncodeError("utf-8", "\udc80", 0, 1, "surrogates not allowed"))
    assert permanent(sqlite3.IntegrityError("CHECK constraint failed"))
    assert not permanent(sqlite3.OperationalError("database is locked"))
    assert not permanent(ConnectionError("refused"))


def test_mongodb_data_errors_are_permanent_and_outages_are_not() -> None:
    """PyMongo's refused-document errors dead-letter a record; a lost connection never does."""
    refused = BulkWriteError({"writeErrors": [{"code": 121}], "writeConcernErrors": []})
    unconfirmed = BulkWriteError({"writeErrors": [{"code": 121}], "writeConcernErrors": [{}]})
    assert permanent(refused)
    assert not permanent(unconfirmed)
    assert permanent(WriteError("duplicate key", 11000))
    assert permanent(DocumentTooLarge("too large"))
    assert permanent(InvalidDocument("bad key"))
    assert not permanent(AutoReconnect("connection lost"))
