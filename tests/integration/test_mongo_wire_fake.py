"""The MongoDB wire-protocol fake speaks like a server: handshakes, cursors, error documents,
and refusals where mongomock cannot evaluate something; and ``innertalk migrate`` against it."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import bson
import pytest
from pymongo import AsyncMongoClient, InsertOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError

from innertalk.cli import main
from innertalk.infrastructure.storage.mongo.schema import INDEXES
from innertalk.infrastructure.storage.mongo.values import Document
from tests.fakes.mongo_server import (
    MAX_WIRE_VERSION,
    OP_QUERY,
    OP_REPLY,
    MongoWireServer,
    mongo_server,
    mongo_server_in_thread,
)
from tests.integration.bot_harness import isolate

Client = AsyncMongoClient[Document]


@pytest.fixture
async def server() -> AsyncIterator[MongoWireServer]:
    async with mongo_server() as running:
        yield running


@pytest.fixture
async def client(server: MongoWireServer) -> AsyncIterator[Client]:
    opened: Client = AsyncMongoClient(server.url(), serverSelectionTimeoutMS=2000)
    yield opened
    await opened.close()


async def test_a_legacy_op_query_handshake_gets_an_op_reply(server: MongoWireServer) -> None:
    """Older drivers' first isMaster (OP_QUERY on admin.$cmd) is answered with an OP_REPLY."""
    host, port = server.address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1)
    body += bson.encode({"isMaster": 1, "helloOk": True})
    writer.write(struct.pack("<iiii", 16 + len(body), 7, 0, OP_QUERY) + body)
    length, _, response_to, opcode = struct.unpack("<iiii", await reader.readexactly(16))
    payload = await reader.readexactly(length - 16)
    writer.close()
    await writer.wait_closed()
    assert (opcode, response_to) == (OP_REPLY, 7)
    assert struct.unpack_from("<iqii", payload)[3] == 1
    reply = bson.decode(payload[20:])
    assert reply["ismaster"] is True
    assert reply["maxWireVersion"] == MAX_WIRE_VERSION


async def test_large_results_arrive_in_get_more_batches(
    client: Client, server: MongoWireServer
) -> None:
    """A find of 250 documents is a first batch of 101 and two getMores, all documents once."""
    await client.db.items.insert_many([{"_id": n} for n in range(250)])
    server.commands.clear()
    found = await client.db.items.find({}, sort=[("_id", 1)]).to_list()
    assert [doc["_id"] for doc in found] == list(range(250))
    assert server.names() == ["find", "getMore", "getMore"]


async def test_write_errors_come_back_as_a_server_reports_them(client: Client) -> None:
    """A duplicate _id is error 11000, an unordered bulk write goes on past it, and other
    rejected writes are write errors too (not a dropped connection)."""
    await client.db.items.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError) as raised:
        await client.db.items.insert_one({"_id": 1})
    assert raised.value.code == 11000
    ops = [InsertOne({"_id": 2}), InsertOne({"_id": 1}), InsertOne({"_id": 3})]
    with pytest.raises(BulkWriteError) as bulk:
        await client.db.items.bulk_write(ops, ordered=False)
    assert [error["index"] for error in bulk.value.details["writeErrors"]] == [1]
    assert await client.db.items.count_documents({}) == 3
    with pytest.raises(WriteError):
        await client.db.items.update_one({"_id": 1}, {"$set": {"_id": 4}})


async def test_what_mongomock_cannot_evaluate_is_refused_not_faked(client: Client) -> None:
    """A stage mongomock lacks ($unionWith) fails with NotImplemented instead of a made-up
    result; unknown commands and transactions fail as a server would refuse them."""
    with pytest.raises(OperationFailure) as raised:
        await client.db.items.aggregate([{"$unionWith": "others"}])
    assert raised.value.code == 238
    with pytest.raises(OperationFailure) as unknown:
        await client.db.command("frobnicate")
    assert unknown.value.code == 59
    async with client.start_session() as session:
        with pytest.raises(OperationFailure) as refused:
            async with await session.start_transaction():
                await client.db.items.insert_one({"_id": 9}, session=session)
    assert refused.value.code == 20


def test_innertalk_migrate_creates_the_indexes_a_start_needs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without indexes a start exits 2 with one line; `innertalk migrate` creates them."""
    with mongo_server_in_thread() as server:
        isolate(monkeypatch, tmp_path, DATABASE_URL=server.url("bot"), AUTO_MIGRATE="false")
        no_env = ["--env-file", str(tmp_path / "none.env")]
        assert main([*no_env, "chat"]) == 2
        error = capsys.readouterr().err
        assert error.startswith("innertalk: configuration error: DATABASE_URL: MongoDB ")
        assert "lacks indexes" in error
        assert error.count("\n") == 1
        assert main([*no_env, "migrate"]) == 0
        assert "schema is up to date (mongodb://" in capsys.readouterr().out
        database = server.runner.client["bot"]
        for collection, models in INDEXES.items():
            names = set(database[collection].index_information())
            assert {model.document["name"] for model in models} <= names
