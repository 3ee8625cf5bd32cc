"""The write-behind queue in front of real SQLite: nothing lost on a graceful shutdown."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from innertalk.domain.conversation import Role, Session, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sqlite import SqliteStorage
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
