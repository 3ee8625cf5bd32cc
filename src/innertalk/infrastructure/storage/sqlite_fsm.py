"""Screen state (aiogram FSM) in SQLite, mixed into ``SqliteStorage``.

Written directly, not through the write-behind queue: the next update of the same person
reads it at once, and it is small.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiosqlite

from innertalk.infrastructure.metrics import STORAGE_READS, STORAGE_SECONDS, STORAGE_WRITES
from innertalk.infrastructure.storage import sqlite_schema as schema

_GET = "SELECT state, data FROM fsm_states WHERE storage_key = :key"
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
        return rows[0]["state"], json.loads(rows[0]["data"])

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        params = {"key": key, "bot_id": bot_id, "user_id": user_id, "state": state}
        await self._fsm_write(_SET_STATE, params)

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        encoded = json.dumps(data, ensure_ascii=False)
        params = {"key": key, "bot_id": bot_id, "user_id": user_id, "data": encoded}
        await self._fsm_write(_SET_DATA, params)

    async def _fsm_write(self, sql: str, params: dict[str, Any]) -> None:
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            with STORAGE_SECONDS.labels(operation="fsm_set").time():
                async with schema.transaction(db):
                    await db.execute(sql, params)
