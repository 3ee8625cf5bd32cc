"""The write-behind queue in front of real SQLite: nothing lost on a graceful shutdown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from innertalk.infrastructure.storage.write_behind import WriteBehindStorage
from tests.fakes.clock import FakeClock

KEY = UserKey("bot", 7)


async def test_a_thousand_turns_survive_a_graceful_shutdown(tmp_path: Path) -> None:
    """1,000 turns queued one at a time are 1,000 rows after close() and a reopen."""
    clock = FakeClock()
    database = tmp_path / "wb.db"
    sqlite = await SqliteStorage.open(database)
    await sqlite.migrate()
    queue = WriteBehindStorage(sqlite, clock)
    await queue.write([Session("s", KEY, clock.now())])
    for n in range(1000):
        role = Role.USER if n % 2 == 0 else Role.ASSISTANT
        created = clock.now() + timedelta(milliseconds=n)
        await queue.write([Turn(f"t{n}", KEY, "s", role, f"turn {n}", created)])
    await queue.close()

    reopened = await SqliteStorage.open(database)
    try:
        stored = await reopened.session_turns(KEY, "s", 5000)
    finally:
        await reopened.close()
    assert [turn.id for turn in stored] == [f"t{n}" for n in range(1000)]
    assert sqlite.writes <= 20


async def test_a_poison_turn_is_a_dead_letter_in_sqlite_and_the_rest_land(
    tmp_path: Path,
) -> None:
    """Uncleaned broken UTF-16 in one turn: SQLite refuses it, the other seven records are
    stored, and ``dead_letters`` holds its ids and error class only; close() succeeds."""
    clock = FakeClock()
    sqlite = await SqliteStorage.open(tmp_path / "poison.db")
    await sqlite.migrate()
    queue = WriteBehindStorage(sqlite, clock)
    texts = ["hello \udc80 \udcff sad", "fine", "second", "ok", "fine", "ok"]
    created = clock.now()
    await queue.write([Session("s", KEY, created)])
    for n, text in enumerate(texts):
        moment = created + timedelta(milliseconds=n)
        await queue.write([Turn(f"t{n}", KEY, "s", Role.USER, text, moment)])
    await queue.close()

    reopened = await SqliteStorage.open(tmp_path / "poison.db")
    try:
        stored = await reopened.session_turns(KEY, "s", 100)
        letters = await reopened.dead_letters(10)
    finally:
        await reopened.close()
    assert [turn.id for turn in stored] == ["t1", "t2", "t3", "t4", "t5"]
    assert [(x.key, x.record_id, x.kind, x.error) for x in letters] == [
        (KEY, "t0", "Turn", "UnicodeEncodeError")
    ]
