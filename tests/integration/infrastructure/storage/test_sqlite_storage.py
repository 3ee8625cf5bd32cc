"""What only the SQLite adapter promises: its file, schema, transactions and query plans."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import structlog

from innertalk.domain.conversation import ConversationContext, Role, Session, Turn
from innertalk.domain.users import UserKey, new_profile
from innertalk.domain.wellbeing import MoodEntry
from innertalk.infrastructure.storage.sqlite import queries
from innertalk.infrastructure.storage.sqlite.schema import MIGRATIONS
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
ALICE = UserKey("bot-a", 1001)
TABLES = ("profiles", "sessions", "turns", "mood_entries", "questionnaire_results", "portraits")


def conversation(turn_count: int = 3, text: str = "hello") -> list[Session | Turn]:
    opened = Session("s0", ALICE, T0)
    return [
        opened,
        *(
            Turn(f"t{n}", ALICE, "s0", Role.USER, text, T0 + timedelta(seconds=n))
            for n in range(turn_count)
        ),
    ]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "innertalk.sqlite3"


@pytest.fixture
async def storage(path: Path) -> AsyncIterator[SqliteStorage]:
    opened = await SqliteStorage.open(path)
    await opened.migrate()
    yield opened
    await opened.close()


async def pragma(storage: SqliteStorage, name: str) -> object:
    (row,) = await storage.connection.execute_fetchall(f"PRAGMA {name}")
    return row[0]


async def test_open_creates_the_directory_and_sets_the_pragmas(
    storage: SqliteStorage, path: Path
) -> None:
    """The file's directory is created; WAL, NORMAL sync, foreign keys and busy timeout are on."""
    assert await asyncio.to_thread(path.is_file)
    assert await pragma(storage, "journal_mode") == "wal"
    assert await pragma(storage, "synchronous") == 1
    assert await pragma(storage, "foreign_keys") == 1
    assert await pragma(storage, "busy_timeout") == 5000


async def test_migrations_are_recorded_and_rerunning_is_a_no_op(storage: SqliteStorage) -> None:
    """Each migration is recorded once; migrating again changes nothing and runs no DDL."""
    recorded = "SELECT version, applied_at FROM schema_version ORDER BY version"
    before = [tuple(row) for row in await storage.connection.execute_fetchall(recorded)]
    assert [version for version, _ in before] == list(range(1, len(MIGRATIONS) + 1))

    statements: list[str] = []
    await storage.connection.set_trace_callback(statements.append)
    await storage.migrate()
    await storage.connection.set_trace_callback(None)  # type: ignore[arg-type]

    after = [tuple(row) for row in await storage.connection.execute_fetchall(recorded)]
    assert after == before
    assert statements
    assert [s for s in statements if "schema_version" not in s] == []


async def test_every_table_carries_bot_id(storage: SqliteStorage) -> None:
    """Every table has a bot_id column, so several bots can share one database."""
    for table in TABLES:
        columns = await storage.connection.execute_fetchall(f"PRAGMA table_info({table})")
        assert "bot_id" in {column["name"] for column in columns}, table


async def test_data_persists_across_close_and_reopen(path: Path) -> None:
    """What was written is there after the file is closed and opened again."""
    first = await SqliteStorage.open(path)
    await first.migrate()
    profile = new_profile(ALICE, T0, display_name="Alice")
    await first.write([profile, *conversation()])
    await first.close()

    second = await SqliteStorage.open(path)
    try:
        await second.migrate()
        context = await second.load_context(ALICE, 10)
    finally:
        await second.close()
    assert context.profile == profile
    assert len(context.recent_turns) == 3


async def test_load_context_is_one_round_trip_and_one_statement(storage: SqliteStorage) -> None:
    """load_context costs one read and runs exactly one SQL statement."""
    await storage.write([new_profile(ALICE, T0), *conversation(5)])
    statements: list[str] = []
    reads = storage.reads
    await storage.connection.set_trace_callback(statements.append)
    context = await storage.load_context(ALICE, 3)
    await storage.connection.set_trace_callback(None)  # type: ignore[arg-type]

    assert storage.reads == reads + 1
    assert len(statements) == 1
    assert "SELECT" in statements[0]
    assert [turn.id for turn in context.recent_turns] == ["t2", "t3", "t4"]


PLANNED = {
    "load_context": queries.LOAD_CONTEXT,
    "session_turns": queries.SESSION_TURNS,
    "sessions": queries.SESSIONS,
    "recent_messages": queries.RECENT_MESSAGES,
    "feedback": queries.FEEDBACK,
    "profile": queries.PROFILE,
    "moods": queries.MOODS,
    "questionnaire_results": queries.QUESTIONNAIRE_RESULTS,
    "portraits": queries.PORTRAITS,
}


@pytest.mark.parametrize("sql", PLANNED.values(), ids=PLANNED.keys())
async def test_reads_search_an_index_and_never_scan_a_table(
    storage: SqliteStorage, sql: str
) -> None:
    """Every read is an index search: no full table scan and no sort of its own."""
    await storage.write(conversation(50))
    params = {
        "bot_id": "bot-a",
        "user_id": 1,
        "session_id": "s0",
        "limit": 10,
        "opening": 10,
        "instrument": None,
        "results": 3,
    }
    rows = await storage.connection.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
    plan = [row["detail"] for row in rows]
    assert not [step for step in plan if any(step.startswith(f"SCAN {t}") for t in TABLES)]
    assert not [step for step in plan if "TEMP B-TREE" in step]
    if "FROM turns" in sql:
        index = "turns_by_user" if "role = 'user'" in sql else "turns_by_session"
        assert any(step.startswith(f"SEARCH turns USING INDEX {index}") for step in plan)


async def test_datetimes_are_fixed_width_utc_text(storage: SqliteStorage) -> None:
    """Datetimes are stored as ISO-8601 UTC with microseconds, so text order is time order."""
    moscow = timezone(timedelta(hours=3))
    await storage.write(
        [
            Session("s0", ALICE, datetime(2024, 3, 10, 23, 59, 59, 5, tzinfo=moscow)),
            Session("s1", ALICE, datetime(2024, 3, 10, 21, 0, tzinfo=UTC)),
        ]
    )
    rows = await storage.connection.execute_fetchall(
        "SELECT started_at FROM sessions ORDER BY started_at"
    )
    stored = [row[0] for row in rows]
    assert stored == ["2024-03-10T20:59:59.000005Z", "2024-03-10T21:00:00.000000Z"]


async def test_a_constraint_violation_rolls_back_the_whole_batch(storage: SqliteStorage) -> None:
    """A batch failing inside SQLite stores nothing, and the next batch is written normally."""
    bad_mood = MoodEntry("m0", ALICE, 5, T0)
    # past the domain's types, to reach NOT NULL (the score's CHECK went: it may be sealed)
    object.__setattr__(bad_mood, "note", None)
    with pytest.raises(sqlite3.IntegrityError):
        await storage.write([new_profile(ALICE, T0), *conversation(), bad_mood])
    assert await storage.load_context(ALICE, 10) == ConversationContext(key=ALICE)
    assert not storage.connection.in_transaction

    await storage.write(conversation())
    assert len(await storage.session_turns(ALICE, "s0", 10)) == 3


async def test_concurrent_writes_and_reads_are_serialized(storage: SqliteStorage) -> None:
    """Writes from many tasks at once each get their own transaction and all land."""
    opened = Session("s0", ALICE, T0)
    await storage.write([opened])
    batches = [
        [Turn(f"t{n}", ALICE, "s0", Role.USER, f"m{n}", T0 + timedelta(seconds=n))]
        for n in range(20)
    ]
    await asyncio.gather(
        *(storage.write(batch) for batch in batches),
        *(storage.load_context(ALICE, 5) for _ in range(5)),
    )
    assert len(await storage.session_turns(ALICE, "s0", 100)) == 20


async def test_message_text_is_never_logged(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Even with DEBUG logging, no log record carries what a person wrote."""
    secret = "my-very-private-words"
    caplog.set_level(logging.DEBUG)
    with structlog.testing.capture_logs() as structured:
        storage = await SqliteStorage.open(path)
        try:
            await storage.migrate()
            await storage.write(conversation(text=secret))
            await storage.load_context(ALICE, 10)
        finally:
            await storage.close()
    assert secret not in caplog.text
    assert secret not in repr(structured)


async def test_in_memory_database_works(tmp_path: Path) -> None:
    """``:memory:`` opens a working private database (no directory is created)."""
    storage = await SqliteStorage.open(":memory:")
    try:
        await storage.migrate()
        await storage.write(conversation())
        assert len((await storage.load_context(ALICE, 10)).recent_turns) == 3
    finally:
        await storage.close()


async def test_closed_storage_refuses_work_and_closes_twice(path: Path) -> None:
    """After close, calls fail clearly and closing again is harmless."""
    storage = await SqliteStorage.open(path)
    await storage.close()
    await storage.close()
    with pytest.raises(RuntimeError, match="not connected"):
        await storage.load_context(ALICE, 10)


async def test_erasure_covers_every_table_holding_peoples_records(tmp_path: Path) -> None:
    """Every table with a user_id column is in USER_TABLES, so delete_user misses none."""
    from innertalk.infrastructure.storage.sqlite.queries import USER_TABLES

    storage = await SqliteStorage.open(tmp_path / "t.db")
    await storage.migrate()
    try:
        tables = await storage.connection.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%user_id%'"
        )
        assert {row[0] for row in tables} == set(USER_TABLES)
    finally:
        await storage.close()


async def test_reminder_reads_search_their_indexes(storage: SqliteStorage) -> None:
    """The due query walks reminders_due in order (no scan, no sort); one person's is by key."""
    from innertalk.infrastructure.storage.sqlite.reminders import DUE_REMINDERS, REMINDER

    params = {"bot_id": "bot-a", "user_id": 1, "now": "2024-05-01T00:00:00.000000Z", "limit": 5}
    for sql, index in ((DUE_REMINDERS, "reminders_due"), (REMINDER, "sqlite_autoindex_reminders")):
        rows = await storage.connection.execute_fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row["detail"] for row in rows]
        assert plan
        assert all(step.startswith(f"SEARCH reminders USING INDEX {index}") for step in plan)
