"""A loopback MongoDB server for tests: the real wire protocol, commands run by mongomock.

MongoDB cannot be installed on the CI machines, and the project's tests never mock SDK
objects, so the MongoDB adapter is driven through the real PyMongo driver against this
server. It speaks the wire protocol a driver needs:

- ``OP_MSG`` (opcode 2013): a kind-0 body section and kind-1 document sequences (how drivers
  send ``documents``/``updates``/``deletes``), optional CRC-32C flag, ``moreToCome`` (no
  reply), replies as one kind-0 section;
- ``OP_QUERY`` (2004) on ``<db>.$cmd`` answered with ``OP_REPLY`` (1): the legacy handshake
  of older PyMongo releases (current ones always shake hands with ``OP_MSG``);

and poses as the primary of a one-member replica set (``maxWireVersion`` 21, MongoDB 7.0,
``logicalSessionTimeoutMinutes``), so the driver uses implicit sessions and retryable writes:
``lsid``, ``txnNumber``, ``$clusterTime``, ``maxTimeMS``, read/write concerns are accepted and
ignored. Every command except the handshake is recorded in ``commands`` so tests can count
round trips. ``tests/fakes/mongo_commands.py`` executes them against mongomock.

What it is not (what a test against it does not prove):

- no authentication, TLS, compression, transactions (refused with ``IllegalOperation``),
  change streams, read preferences or replication; one member, always primary;
- mongomock's query language: its aggregation lacks ``$unionWith``, ``$lookup`` with
  ``pipeline``/``let``, ``$replaceWith``, ``$unset``… (answered ``NotImplemented``, code 238);
  embedded documents compare equal regardless of field order (MongoDB compares in order);
  no query planner, so an index that exists is never proven to be used;
- TTL indexes expire documents by the wall clock whenever a collection is read, instead of a
  monitor every 60 s; unique indexes are checked, others only recorded;
- a ``getMore`` batch is counted in documents, not in bytes (no 16 MiB batch limit).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import bson
from bson.objectid import ObjectId

from tests.fakes.mongo_commands import CommandRunner, Document, error_reply

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
_HEADER = struct.Struct("<iiii")
_CHECKSUM_PRESENT, _MORE_TO_COME = 1, 2
_HANDSHAKE = frozenset({"hello", "ismaster"})
MAX_WIRE_VERSION = 21


@dataclass(frozen=True)
class Command:
    """One command as the server received it: its name, database and target."""

    name: str
    database: str
    target: Any
    body: Document


def _decode_sections(payload: bytes) -> tuple[int, Document]:
    """An OP_MSG's flags and its command, document sequences merged in by identifier."""
    (flags,) = struct.unpack_from("<I", payload)
    end = len(payload) - (4 if flags & _CHECKSUM_PRESENT else 0)
    position, command, sequences = 4, None, {}
    while position < end:
        kind = payload[position]
        position += 1
        (size,) = struct.unpack_from("<i", payload, position)
        if kind == 0:
            command = bson.decode(payload[position : position + size])
        elif kind == 1:
            identifier_end = payload.index(b"\x00", position + 4)
            identifier = payload[position + 4 : identifier_end].decode()
            sequences[identifier] = bson.decode_all(payload[identifier_end + 1 : position + size])
        else:
            raise ValueError(f"unknown OP_MSG section kind {kind}")
        position += size
    if command is None:
        raise ValueError("OP_MSG without a body section")
    return flags, {**command, **sequences}


def _decode_query(payload: bytes) -> Document:
    """An OP_QUERY on ``<db>.$cmd`` as a command with ``$db`` set."""
    namespace_end = payload.index(b"\x00", 4)
    namespace = payload[4:namespace_end].decode()
    database, _, collection = namespace.partition(".")
    if collection != "$cmd":
        raise ValueError("OP_QUERY is only accepted for commands (the legacy handshake)")
    query_start = namespace_end + 1 + 8  # numberToSkip, numberToReturn
    (size,) = struct.unpack_from("<i", payload, query_start)
    command = bson.decode(payload[query_start : query_start + size])
    command = command.get("$query", command)
    return {**command, "$db": database}


class MongoWireServer:
    """A loopback MongoDB server; ``await start()``, then connect to ``url(database)``."""

    def __init__(self, *, replica_set: str = "rs0") -> None:
        self.runner = CommandRunner()
        self.commands: list[Command] = []
        self.replica_set = replica_set
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._connection_ids = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._election = ObjectId()
        self.address = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        host, port = self._server.sockets[0].getsockname()[:2]
        self.address = f"{host}:{port}"

    def url(self, database: str = "innertalk", **options: str) -> str:
        query = "&".join(f"{name}={value}" for name, value in options.items())
        return f"mongodb://{self.address}/{database}" + (f"?{query}" if query else "")

    async def close(self) -> None:
        """Stop listening and end every connection (each handler sees the end of its stream:
        cancelling them trips asyncio's own stream callback on Python 3.11)."""
        if self._server is not None:
            self._server.close()
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # Recording.

    def count(self, name: str, target: str | None = None) -> int:
        """How many ``name`` commands (on collection ``target``, if given) were received."""
        return sum(
            1
            for command in self.commands
            if command.name == name and (target is None or command.target == target)
        )

    def names(self) -> list[str]:
        """The commands received, in order, without session bookkeeping (``endSessions``)."""
        return [command.name for command in self.commands if command.name != "endSessions"]

    # The protocol.

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        connection_id = next(self._connection_ids)
        try:
            while True:
                header = await reader.readexactly(_HEADER.size)
                length, request_id, _, opcode = _HEADER.unpack(header)
                payload = await reader.readexactly(length - _HEADER.size)
                reply = self._answer(opcode, payload, request_id, connection_id)
                if reply:
                    writer.write(reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away
        except ValueError:
            pass  # a message the fake cannot parse: a server drops such a connection too
        finally:
            self._connections.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _answer(self, opcode: int, payload: bytes, request_id: int, connection: int) -> bytes:
        if opcode == OP_MSG:
            flags, command = _decode_sections(payload)
            reply = self._execute(command, connection)
            if flags & _MORE_TO_COME:
                return b""
            body = struct.pack("<I", 0) + b"\x00" + bson.encode(reply)
            return self._message(OP_MSG, request_id, body)
        if opcode == OP_QUERY:
            reply = self._execute(_decode_query(payload), connection)
            body = struct.pack("<iqii", 0, 0, 0, 1) + bson.encode(reply)
            return self._message(OP_REPLY, request_id, body)
        raise ValueError(f"unsupported opcode {opcode}")

    def _message(self, opcode: int, response_to: int, body: bytes) -> bytes:
        header = _HEADER.pack(
            _HEADER.size + len(body), next(self._request_ids), response_to, opcode
        )
        return header + body

    def _execute(self, command: Document, connection: int) -> Document:
        name = next(iter(command))
        if name.lower() in _HANDSHAKE:
            return self._hello(connection)
        self.commands.append(Command(name, command.get("$db", ""), command[name], command))
        if "$db" not in command:
            return error_reply(2, "the command has no $db")
        return self.runner.run(name, command)

    def _hello(self, connection: int) -> Document:
        return {
            "helloOk": True,
            "isWritablePrimary": True,
            "ismaster": True,
            "setName": self.replica_set,
            "setVersion": 1,
            "electionId": self._election,
            "hosts": [self.address],
            "primary": self.address,
            "me": self.address,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "localTime": datetime.now(UTC),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": connection,
            "minWireVersion": 0,
            "maxWireVersion": MAX_WIRE_VERSION,
            "readOnly": False,
            "ok": 1.0,
        }


@contextlib.asynccontextmanager
async def mongo_server() -> AsyncIterator[MongoWireServer]:
    """A started ``MongoWireServer`` on a free loopback port, closed afterwards."""
    server = MongoWireServer()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@contextlib.contextmanager
def mongo_server_in_thread() -> Iterator[MongoWireServer]:
    """A ``MongoWireServer`` on its own event loop in a thread, for code that runs a loop of
    its own in the main thread (``innertalk`` commands via ``cli.main``, benchmarks)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="mongo-wire-fake", daemon=True)
    thread.start()
    server = MongoWireServer()
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
