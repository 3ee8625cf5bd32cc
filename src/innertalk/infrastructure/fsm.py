"""aiogram's FSM storage over InnerTalk's own store, so screen state survives a restart.

A questionnaire half answered, a diary entry waiting for its note: with the default SQLite
deployment they resume after the bot restarts (aiogram's ``MemoryStorage`` would forget
them). Records are keyed like aiogram's default key builder and carry the person's ids, so
``/delete`` erases them with everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey


class FsmStore(Protocol):
    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]: ...

    async def fsm_set_state(
        self, key: str, bot_id: str, user_id: int, state: str | None
    ) -> None: ...

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None: ...


class StoreFsmStorage(BaseStorage):
    """An aiogram ``BaseStorage`` backed by a store with ``fsm_*`` methods."""

    def __init__(self, store: FsmStore) -> None:
        self._store = store
        self._keys = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._store.fsm_set_state(self._key(key), str(key.bot_id), key.user_id, name)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._store.fsm_get(self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._store.fsm_set_data(self._key(key), str(key.bot_id), key.user_id, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._store.fsm_get(self._key(key))
        return data

    async def close(self) -> None:
        """The store is closed by the app that owns it."""
