"""MongoDB backends for the contract suite: the wire-protocol fake, and a real server.

``mongodb-wire-fake`` always runs: the adapter through the real PyMongo driver against
``tests/fakes/mongo_server.py`` (commands executed by mongomock), one fresh server per test.
``mongodb`` runs when ``INNERTALK_TEST_MONGODB_URI`` names a real server, e.g.
``mongodb://localhost:27017``: each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from innertalk.application.ports import Storage
from innertalk.infrastructure.crypto import FieldCipher
from innertalk.infrastructure.storage.mongo.storage import MongoStorage
from tests.fakes.mongo_server import mongo_server

MONGODB_URI = "INNERTALK_TEST_MONGODB_URI"


@asynccontextmanager
async def mongodb_wire_fake_storage(
    _tmp_path: Path, cipher: FieldCipher | None = None
) -> AsyncIterator[Storage]:
    async with mongo_server() as server:
        storage = await MongoStorage.open(server.url(), cipher=cipher)
        try:
            await storage.migrate()
            yield storage
        finally:
            await storage.close()


@asynccontextmanager
async def mongodb_storage(
    _tmp_path: Path, cipher: FieldCipher | None = None
) -> AsyncIterator[Storage]:
    database = f"innertalk_test_{uuid.uuid4().hex[:12]}"
    storage = await MongoStorage.open(os.environ[MONGODB_URI], database, cipher=cipher)
    try:
        await storage.migrate()
        yield storage
    finally:
        try:
            await storage.client.drop_database(database)
        finally:
            await storage.close()
