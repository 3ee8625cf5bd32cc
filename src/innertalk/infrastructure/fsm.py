"""aiogram's FSM storage: over InnerTalk's own store, or in Redis for several instances.

A questionnaire half answered, a diary entry waiting for its note: with the default SQLite
deployment they resume after the bot restarts (aiogram's ``MemoryStorage`` would forget
them). Records are keyed like aiogram's default key builder and carry the person's ids, so
``/delete`` erases them with everything else.

With ``REDIS_URL`` every instance must see the same screen state (a person's next update may
reach another instance), so it lives in Redis (aiogram's ``RedisStorage`` on the process's
shared client, keys ``innertalk:fsm:{bot id}:{chat}:{user}:…:{state|data}``, kept 30 days
after their last change). /delete clears it through aiogram (``state.clear()``).

State and data say where a person is in a questionnaire and what they answered: with
``ENCRYPTION_KEY`` both are sealed (in SQLite and MongoDB by the adapters' FSM codecs, in Redis
here), bound to the person.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol, TypeVar

import structlog
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from cachetools import LRUCache
from redis.asyncio import Redis

from innertalk.domain.users import UserKey
from innertalk.infrastructure.crypto import DecryptionError, FieldCipher
from innertalk.infrastructure.redis.connection import REDIS_FAILURES, RedisFailures
from innertalk.infrastructure.storage.sealing import FieldSeal

T = TypeVar("T")
log = structlog.get_logger(__name__)

FSM_TTL = 30 * 24 * 3600
"""Seconds screen state is kept in Redis after its last change (an abandoned screen)."""


class FsmStore(Protocol):
    async def fsm_get(self, key: str) -> tuple[str | None, dict[str, Any]]: ...

    async def fsm_set_state(
        self, key: str, bot_id: str, user_id: int, state: str | None
    ) -> None: ...

    async def fsm_set_data(
        self, key: str, bot_id: str, user_id: int, data: dict[str, Any]
    ) -> None: ...


class StoreFsmStorage(BaseStorage):
    """An aiogram ``BaseStorage`` backed by a store with ``fsm_*`` methods, with a
    write-through copy in memory.

    aiogram reads the state of every update before any handler runs; the copy answers those
    reads, so a message costs no store read for its screen state (docs/benchmarks.md, *Load*).
    Every change is written to the store first. This is right for one instance, the only
    deployment that uses it: with ``REDIS_URL`` (several instances) screen state is in Redis.
    """

    def __init__(self, store: FsmStore, *, cached: int = 100_000) -> None:
        self._store = store
        self._keys = DefaultKeyBuilder(with_destiny=True, with_business_connection_id=True)
        self._copies: LRUCache[str, tuple[str | None, dict[str, Any]]] = LRUCache(cached)

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def _read(self, name: str) -> tuple[str | None, dict[str, Any]]:
        copy = self._copies.get(name)
        if copy is None:
            state, data = await self._store.fsm_get(name)
            copy = self._copies[name] = (state, dict(data))
        return copy

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = self._key(key)
        value = state.state if isinstance(state, State) else state
        await self._store.fsm_set_state(name, str(key.bot_id), key.user_id, value)
        copy = self._copies.get(name)
        if copy is None:
            return  # the data part is unknown here: the next read asks the store
        self._copies[name] = (value, copy[1])

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._read(self._key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        name = self._key(key)
        await self._store.fsm_set_data(name, str(key.bot_id), key.user_id, dict(data))
        copy = self._copies.get(name)
        if copy is None:
            return
        self._copies[name] = (copy[0], dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._read(self._key(key))
        return dict(data)  # the caller may change it; the copy stays as stored

    async def close(self) -> None:
        """The store is closed by the app that owns it."""


_SEALED = "itk_sealed"
"""The one field of a sealed data value in Redis."""


def _owner(key: StorageKey) -> UserKey:
    return UserKey(str(key.bot_id), key.user_id)


class SharedRedisFsmStorage(RedisStorage):
    """aiogram's ``RedisStorage`` on the process's shared client, failing open.

    With Redis down a screen reads as empty and changes are not kept (a metric and a log line
    say so): free text keeps reaching the companion, only multi-step screens cannot advance,
    rather than every update failing. Closing the dispatcher leaves the shared client (and
    its pool) to the app that made it.
    """

    def __init__(
        self, redis: Redis, *, timeout: float = 0.6, cipher: FieldCipher | None = None
    ) -> None:
        self._seal = FieldSeal(cipher)
        super().__init__(
            redis,
            key_builder=DefaultKeyBuilder(
                prefix="innertalk:fsm",
                with_bot_id=True,
                with_destiny=True,
                with_business_connection_id=True,
            ),
            state_ttl=FSM_TTL,
            data_ttl=FSM_TTL,
        )
        self._timeout = timeout
        self._failures = RedisFailures("fsm")

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        sealed = self._seal.optional_text(value, _owner(key), "fsm_state")
        await self._guarded(super().set_state(key, sealed), None)

    async def get_state(self, key: StorageKey) -> str | None:
        stored = await self._guarded(super().get_state(key), None)
        try:
            return self._seal.open_optional_text(stored, _owner(key), "fsm_state")
        except DecryptionError:  # sealed under a key since dropped: the screen starts over
            log.warning("fsm.unopenable", part="state")
            return None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if data and self._seal.active:  # empty data deletes the key: nothing to seal
            data = {_SEALED: self._seal.value(dict(data), _owner(key), "fsm_data")}
        await self._guarded(super().set_data(key, data), None)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data = await self._guarded(super().get_data(key), {})
        if _SEALED not in data:
            return data
        try:
            opened: dict[str, Any] = self._seal.open_value(data[_SEALED], _owner(key), "fsm_data")
        except DecryptionError:
            log.warning("fsm.unopenable", part="data")
            return {}
        return opened

    async def close(self) -> None:
        """The client is closed by the app that owns it."""

    async def _guarded(self, call: Awaitable[T], fallback: T) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                result = await call
        except REDIS_FAILURES as error:
            self._failures.failed(error)
            return fallback
        self._failures.succeeded()
        return result
