"""Screen state (aiogram FSM) in MongoDB, mixed into ``MongoStorage``.

Written directly, not through the write-behind queue: the next update of the same person
reads it at once, and it is small. One document per FSM key (``_id``); ``data`` is JSON text,
so any key aiogram uses (dots, dollars) and every value round-trip exactly.
"""

from __future__ import annotations

import json
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from innertalk.infrastructure.storage.mongo_values import Document

FSM_STATES = "fsm_states"
_EMPTY = "{}"


class MongoFsmStore:
    """``FsmStore`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        doc = await self._db[FSM_STATES].find_one({"_id": key})
        if doc is None:
            return None, {}
        data: dict[str, Any] = json.loads(doc.get("data") or _EMPTY)
        return doc.get("state"), data

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        changes = {"bot_id": bot_id, "user_id": user_id, "state": state}
        await self._fsm_write(key, changes, {"data": _EMPTY})

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        encoded = json.dumps(data, ensure_ascii=False)
        changes = {"bot_id": bot_id, "user_id": user_id, "data": encoded}
        await self._fsm_write(key, changes, {"state": None})

    async def _fsm_write(self, key: str, changes: Document, on_insert: Document) -> None:
        update = {"$set": changes, "$setOnInsert": on_insert}
        await self._db[FSM_STATES].update_one({"_id": key}, update, upsert=True)
