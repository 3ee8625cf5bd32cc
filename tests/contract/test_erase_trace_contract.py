"""Erasing leaves no trace: screen state is deleted, and SQLite's files hold no erased bytes.

The byte scan runs on SQLite only: it reads the database, ``-wal`` and ``-shm`` files. The
MongoDB wire fake keeps documents in Python dicts, so there are no files to scan; on a real
server, WiredTiger reuses freed blocks on its own schedule (docs/operations.md, *Erasing*).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from innertalk.application.ports import Storage
from innertalk.domain.conversation import Role, Turn
from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.records import ALICE, BOB, at, everything, result, session

PHRASE = "zebra-quartz-lantern"
"""Distinctive words no page would hold by chance."""


def said(key: UserKey, words: str) -> list[Turn]:
    return [Turn(f"{key}:said", key, f"{key}:s1", Role.USER, words, at(25))]


def files_hold(database: Path, phrase: str) -> list[str]:
    """Which of the database's files (db, -wal, -shm) contain ``phrase`` as UTF-8 bytes."""
    needle = phrase.encode()
    paths = [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
    return [path.name for path in paths if path.exists() and needle in path.read_bytes()]


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    storage = await SqliteStorage.open(tmp_path / "erase.db")
    try:
        await storage.migrate()
        yield storage
    finally:
        await storage.close()


async def test_delete_user_leaves_the_words_in_no_file(sqlite: SqliteStorage) -> None:
    """After delete_user neither the database nor its write-ahead log holds the person's
    words or screen state; another person's words are still there."""
    database = Path(str(sqlite.path))
    await sqlite.write([*everything(ALICE), *said(ALICE, PHRASE)])
    await sqlite.write([*everything(BOB), *said(BOB, "other-person-keeps-this")])
    await sqlite.fsm_set_data("fsm:alice", ALICE.bot_id, ALICE.user_id, {"note": PHRASE})
    assert files_hold(database, PHRASE), "the scan must see the phrase before the erase"
    await sqlite.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # into the db file too
    await sqlite.write(said(ALICE, f"{PHRASE} again"))  # and a copy left in the log
    assert set(files_hold(database, PHRASE)) >= {"erase.db", "erase.db-wal"}
    secure = await sqlite.connection.execute_fetchall("PRAGMA secure_delete")
    assert next(iter(secure))[0] == 1
    await sqlite.delete_user(ALICE)
    assert files_hold(database, PHRASE) == []
    assert files_hold(database, "other-person-keeps-this")


async def test_forgetting_summaries_and_results_leaves_no_bytes(sqlite: SqliteStorage) -> None:
    """forget_summaries and delete_results overwrite what they erase, in every file."""
    database = Path(str(sqlite.path))
    summary = session(f"{ALICE}:old", ALICE, 0, ended=5, summary=f"summary {PHRASE}")
    answers = replace(result(f"{ALICE}:q"), instrument=f"{PHRASE}-instrument")
    await sqlite.write([summary, answers])
    assert files_hold(database, PHRASE)
    await sqlite.forget_summaries(ALICE)
    await sqlite.delete_results(ALICE)
    assert files_hold(database, PHRASE) == []


async def test_clearing_screen_state_after_delete_creates_no_row(storage: Storage) -> None:
    """/delete erases screen state, and aiogram's state.clear() that follows (state None,
    data {}) deletes rather than re-creates it: zero screen-state rows remain."""
    store = storage
    key = f"fsm:{ALICE.bot_id}:{ALICE.user_id}"
    await store.fsm_set_state(key, ALICE.bot_id, ALICE.user_id, "Questionnaire:item")  # type: ignore[attr-defined]
    await store.fsm_set_data(key, ALICE.bot_id, ALICE.user_id, {"answers": [3]})  # type: ignore[attr-defined]
    await store.delete_user(ALICE)
    await store.fsm_set_state(key, ALICE.bot_id, ALICE.user_id, None)  # type: ignore[attr-defined]
    await store.fsm_set_data(key, ALICE.bot_id, ALICE.user_id, {})  # type: ignore[attr-defined]
    assert (await store.count_user_rows(ALICE))["fsm_states"] == 0  # type: ignore[attr-defined]
    assert await store.fsm_get(key) == (None, {})  # type: ignore[attr-defined]


async def test_clearing_a_live_screen_deletes_it(storage: Storage) -> None:
    """A finished questionnaire's screen (state None, then data {}) is no row, not an empty one."""
    key = f"fsm:{BOB.bot_id}:{BOB.user_id}"
    await storage.fsm_set_state(key, BOB.bot_id, BOB.user_id, "Diary:note")  # type: ignore[attr-defined]
    await storage.fsm_set_data(key, BOB.bot_id, BOB.user_id, {"score": 4})  # type: ignore[attr-defined]
    await storage.fsm_set_state(key, BOB.bot_id, BOB.user_id, None)  # type: ignore[attr-defined]
    assert await storage.fsm_get(key) == (None, {"score": 4})  # type: ignore[attr-defined]
    await storage.fsm_set_data(key, BOB.bot_id, BOB.user_id, {})  # type: ignore[attr-defined]
    assert (await storage.count_user_rows(BOB))["fsm_states"] == 0  # type: ignore[attr-defined]
