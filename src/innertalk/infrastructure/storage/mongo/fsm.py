"""Screen state (aiogram FSM) in MongoDB, mixed into ``MongoStorage``.

Written directly, not through the write-behind queue: the next update of the same person
reads it at once, and it is small. One document per FSM key (``_id``); ``data`` is JSON text,
so any key aiogram uses (dots, dollars) and every value round-trip exactly. A screen with no
state and no data is deleted, not kept empty (aiogram's ``state.clear()``, after ``/delete``).
"""

from __future__ import annotations

import json
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.mongo.documents import MongoCodec
from innertalk.infrastructure.storage.mongo.values import Document
from innertalk.infrastructure.storage.sealing import FieldSeal

FSM_STATES = "fsm_states"
_EMPTY = "{}"


class MongoFsmStore:
    """``FsmStore`` over ``MongoStorage``'s database."""

    _db: AsyncDatabase[Document]
    codec: MongoCodec

    @property
    def _seal(self) -> FieldSeal:
        return self.codec.seal

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        doc = await self._db[FSM_STATES].find_one({"_id": key})
        if doc is None:
            return None, {}
        # state and data say where a person is in a questionnaire and what they answered
        owner = UserKey(doc["bot_id"], int(doc["user_id"]))
        state = self._seal.open_optional_text(doc.get("state"), owner, "fsm_state")
        data: dict[str, Any] = json.loads(
            self._seal.open_text(doc.get("data") or _EMPTY, owner, "fsm_data")
        )
        return state, data

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        if state is None and not (await self.fsm_get(key))[1]:
            await self._db[FSM_STATES].delete_one({"_id": key})  # an empty screen: no document
            return
        sealed = self._seal.optional_text(state, UserKey(bot_id, user_id), "fsm_state")
        changes = {"bot_id": bot_id, "user_id": user_id, "state": sealed}
        await self._fsm_write(key, changes, {"data": _EMPTY})

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        if not data and (await self.fsm_get(key))[0] is None:
            await self._db[FSM_STATES].delete_one({"_id": key})
            return
        encoded = self._seal.text(
            json.dumps(data, ensure_ascii=False), UserKey(bot_id, user_id), "fsm_data"
        )
        changes = {"bot_id": bot_id, "user_id": user_id, "data": encoded}
        await self._fsm_write(key, changes, {"state": None})

    async def _fsm_write(self, key: str, changes: Document, on_insert: Document) -> None:
        update = {"$set": changes, "$setOnInsert": on_insert}
        await self._db[FSM_STATES].update_one({"_id": key}, update, upsert=True)
