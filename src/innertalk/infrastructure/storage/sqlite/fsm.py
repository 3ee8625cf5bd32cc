"""Screen state (aiogram FSM) in SQLite, mixed into ``SqliteStorage``.

Written directly, not through the write-behind queue: the next update of the same person
reads it at once, and it is small. A screen with no state and no data is no row at all:
clearing it (aiogram's ``state.clear()``, also run after ``/delete``) deletes the row rather
than leaving an emptied one behind.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiosqlite

from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import (
    STORAGE_READS,
    STORAGE_SECONDS,
    STORAGE_WRITES,
)
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.sqlite.rows import SqliteCodec

_GET = "SELECT bot_id, user_id, state, data FROM fsm_states WHERE storage_key = :key"
_DROP = "DELETE FROM fsm_states WHERE storage_key = :key"
_SET_STATE = """
INSERT INTO fsm_states (storage_key, bot_id, user_id, state)
VALUES (:key, :bot_id, :user_id, :state)
ON CONFLICT (storage_key) DO UPDATE SET state = excluded.state
"""
_SET_DATA = """
INSERT INTO fsm_states (storage_key, bot_id, user_id, data)
VALUES (:key, :bot_id, :user_id, :data)
ON CONFLICT (storage_key) DO UPDATE SET data = excluded.data
"""


class SqliteFsmStore:
    """``FsmStore`` over ``SqliteStorage``'s connection and lock; its round trips count in
    ``reads``/``writes`` like every other (aiogram reads the state once per update)."""

    reads: int
    writes: int
    codec: SqliteCodec
    _lock: asyncio.Lock

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            with STORAGE_SECONDS.labels(operation="fsm_get").time():
                rows = list(await self.connection.execute_fetchall(_GET, {"key": key}))
        if not rows:
            return None, {}
        # state and data say where a person is in a questionnaire and what they answered
        seal, row = self.codec.seal, rows[0]
        owner = UserKey(row["bot_id"], int(row["user_id"]))
        state = seal.open_optional_text(row["state"], owner, "fsm_state")
        return state, json.loads(seal.open_text(row["data"], owner, "fsm_data"))

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        if state is None and not (await self.fsm_get(key))[1]:
            await self._fsm_drop(key)  # an empty screen is no row (aiogram's clear, /delete)
            return
        sealed = self.codec.seal.optional_text(state, UserKey(bot_id, user_id), "fsm_state")
        params = {"key": key, "bot_id": bot_id, "user_id": user_id, "state": sealed}
        await self._fsm_write(_SET_STATE, params)

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        if not data and (await self.fsm_get(key))[0] is None:
            await self._fsm_drop(key)
            return
        encoded = json.dumps(data, ensure_ascii=False)
        encoded = self.codec.seal.text(encoded, UserKey(bot_id, user_id), "fsm_data")
        params = {"key": key, "bot_id": bot_id, "user_id": user_id, "data": encoded}
        await self._fsm_write(_SET_DATA, params)

    async def _fsm_drop(self, key: str) -> None:
        await self._fsm_write(_DROP, {"key": key})

    async def _fsm_write(self, sql: str, params: dict[str, Any]) -> None:
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            with STORAGE_SECONDS.labels(operation="fsm_set").time():
                async with schema.transaction(db):
                    await db.execute(sql, params)
