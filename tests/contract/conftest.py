"""Every storage adapter, behind one ``storage`` fixture, so the contract runs against each.

A backend that needs a server joins only when its address is in the environment: MongoDB
always runs against the wire-protocol fake, and against a real server (a database unique to
each test, dropped afterwards) when ``INNERTALK_TEST_MONGODB_URI`` is set (``mongodb.py``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from innertalk.application.ports import Storage
from innertalk.infrastructure.crypto import FieldCipher, generate_key, parse_key
from innertalk.infrastructure.storage.local.storage import LocalStorage
from innertalk.infrastructure.storage.sqlite.storage import SqliteStorage
from tests.contract.mongodb import MONGODB_URI, mongodb_storage, mongodb_wire_fake_storage


@asynccontextmanager
async def local_storage(_tmp_path: Path) -> AsyncIterator[Storage]:
    storage = LocalStorage()
    await storage.migrate()
    yield storage
    await storage.close()


@asynccontextmanager
async def sqlite_storage(
    tmp_path: Path, cipher: FieldCipher | None = None
) -> AsyncIterator[Storage]:
    storage = await SqliteStorage.open(tmp_path / "data" / "innertalk.sqlite3", cipher=cipher)
    try:
        await storage.migrate()
        yield storage
    finally:
        await storage.close()


TEST_KEYS = [parse_key(generate_key()), parse_key(generate_key())]


def encrypted(
    opener: Callable[[Path, FieldCipher | None], AbstractAsyncContextManager[Storage]],
) -> Callable[[Path], AbstractAsyncContextManager[Storage]]:
    """The same backend with every personal field sealed by its row codec."""

    def open_encrypted(tmp_path: Path) -> AbstractAsyncContextManager[Storage]:
        return opener(tmp_path, FieldCipher(TEST_KEYS))

    return open_encrypted


@dataclass(frozen=True)
class Backend:
    name: str
    open: Callable[[Path], AbstractAsyncContextManager[Storage]]
    requires_env: str | None = None

    @property
    def enabled(self) -> bool:
        return self.requires_env is None or bool(os.environ.get(self.requires_env))


BACKENDS = (
    Backend("local", local_storage),
    Backend("sqlite", sqlite_storage),
    Backend("sqlite+encrypted", encrypted(sqlite_storage)),
    Backend("mongodb-wire-fake", mongodb_wire_fake_storage),
    Backend("mongodb-wire-fake+encrypted", encrypted(mongodb_wire_fake_storage)),
    Backend("mongodb", mongodb_storage, requires_env=MONGODB_URI),
    Backend("mongodb+encrypted", encrypted(mongodb_storage), requires_env=MONGODB_URI),
)


@pytest.fixture(params=[backend for backend in BACKENDS if backend.enabled], ids=lambda b: b.name)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    """A migrated, empty storage of each enabled backend, closed after the test."""
    backend: Backend = request.param
    async with backend.open(tmp_path) as opened:
        yield opened
