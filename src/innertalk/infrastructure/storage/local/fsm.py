"""Screen state (aiogram FSM) in this process, mixed into ``LocalStorage``."""

from __future__ import annotations

import copy
from typing import Any

from innertalk.domain.users import UserKey


class LocalFsmStore:
    """FSM records by key; created on first use (the mixin needs no ``__init__``)."""

    @property
    def _fsm(self) -> dict[str, tuple[UserKey, str | None, dict[str, Any]]]:
        table: dict[str, tuple[UserKey, str | None, dict[str, Any]]]
        table = self.__dict__.setdefault("_fsm_records", {})
        return table

    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]:
        _, state, data = self._fsm.get(key, (None, None, {}))
        return state, copy.deepcopy(data)

    async def fsm_set_state(self, key: str, bot_id: str, user_id: int, state: str | None) -> None:
        _, _, data = self._fsm.get(key, (None, None, {}))
        self._fsm_put(key, UserKey(bot_id, user_id), state, data)

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None:
        _, state, _ = self._fsm.get(key, (None, None, {}))
        self._fsm_put(key, UserKey(bot_id, user_id), state, copy.deepcopy(data))

    def _fsm_put(self, key: str, owner: UserKey, state: str | None, data: dict[str, Any]) -> None:
        if state is None and not data:
            self._fsm.pop(key, None)  # an empty screen is no record (as in SQLite)
        else:
            self._fsm[key] = (owner, state, data)

    def _remove_fsm(self, owner: UserKey) -> int:
        doomed = [key for key, (who, _, _) in self._fsm.items() if who == owner]
        for key in doomed:
            del self._fsm[key]
        return len(doomed)
