"""Screen state survives a restart: aiogram's FSM over InnerTalk's own store."""

from __future__ import annotations

from pathlib import Path

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from innertalk.domain.users import UserKey
from innertalk.infrastructure.fsm import StoreFsmStorage
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage

KEY = StorageKey(bot_id=777, chat_id=42, user_id=42)


class Questionnaire(StatesGroup):
    answering = State()


async def test_state_and_data_survive_closing_and_reopening_the_database(tmp_path: Path) -> None:
    """A questionnaire half answered is still there after the process restarts."""
    first = await SqliteStorage.open(tmp_path / "fsm.db")
    await first.migrate()
    fsm = StoreFsmStorage(first)
    await fsm.set_state(KEY, Questionnaire.answering)
    await fsm.update_data(KEY, {"run": {"instrument": "phq9", "answers": [1, 2, None]}})
    await first.close()

    reopened = await SqliteStorage.open(tmp_path / "fsm.db")
    try:
        fsm = StoreFsmStorage(reopened)
        assert await fsm.get_state(KEY) == Questionnaire.answering.state
        assert (await fsm.get_data(KEY))["run"]["answers"] == [1, 2, None]
        await fsm.set_state(KEY, None)
        assert await fsm.get_state(KEY) is None
        assert (await fsm.get_data(KEY))["run"]["instrument"] == "phq9"
    finally:
        await reopened.close()


async def test_erasing_a_person_erases_their_screen_state(tmp_path: Path) -> None:
    """/delete leaves no FSM rows behind, in SQLite and in memory."""
    sqlite = await SqliteStorage.open(tmp_path / "fsm.db")
    await sqlite.migrate()
    try:
        for store in (sqlite, LocalStorage()):
            fsm = StoreFsmStorage(store)
            await fsm.set_state(KEY, Questionnaire.answering)
            await fsm.set_data(KEY, {"note": "draft"})
            await store.delete_user(UserKey("777", 42))
            assert await fsm.get_state(KEY) is None
            assert await fsm.get_data(KEY) == {}
            assert (await store.count_user_rows(UserKey("777", 42)))["fsm_states"] == 0
    finally:
        await sqlite.close()


async def test_screen_state_is_read_from_the_store_once_then_from_the_copy(
    tmp_path: Path,
) -> None:
    """Repeated reads of one person's screen state cost one store read; changes are written
    through and read back without another; a caller changing the data it got changes nothing."""
    sqlite = await SqliteStorage.open(tmp_path / "fsm.db")
    await sqlite.migrate()
    try:
        await StoreFsmStorage(sqlite).set_data(KEY, {"step": 1})
        fsm = StoreFsmStorage(sqlite)
        before = sqlite.reads
        for _ in range(5):
            assert await fsm.get_state(KEY) is None
        assert sqlite.reads == before + 1
        await fsm.set_state(KEY, Questionnaire.answering)
        await fsm.set_data(KEY, {"step": 2})
        got = await fsm.get_data(KEY)
        got["step"] = 99
        assert await fsm.get_state(KEY) == Questionnaire.answering.state
        assert await fsm.get_data(KEY) == {"step": 2}
        assert sqlite.reads == before + 1
        fresh = StoreFsmStorage(sqlite)  # what a restarted process reads: the store has it all
        assert await fresh.get_state(KEY) == Questionnaire.answering.state
        assert await fresh.get_data(KEY) == {"step": 2}
    finally:
        await sqlite.close()
