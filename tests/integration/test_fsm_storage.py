"""Screen state survives a restart: aiogram's FSM over InnerTalk's own store."""

from __future__ import annotations

from pathlib import Path

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from innertalk.domain.users import UserKey
from innertalk.infrastructure.fsm import StoreFsmStorage
from innertalk.infrastructure.storage.memory import MemoryStorage
from innertalk.infrastructure.storage.sqlite import SqliteStorage

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
        for store in (sqlite, MemoryStorage()):
            fsm = StoreFsmStorage(store)
            await fsm.set_state(KEY, Questionnaire.answering)
            await fsm.set_data(KEY, {"note": "draft"})
            await store.delete_user(UserKey("777", 42))
            assert await fsm.get_state(KEY) is None
            assert await fsm.get_data(KEY) == {}
            assert (await store.count_user_rows(UserKey("777", 42)))["fsm_states"] == 0
    finally:
        await sqlite.close()
