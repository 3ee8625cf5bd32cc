"""One write-behind batch in one MongoDB transaction, where the server has them.

Transactions need a replica set (a single-node one will do) or a sharded cluster through
``mongos``; a standalone ``mongod`` has none, and there ``MongoStorage.write`` falls back to
idempotent bulk upserts (docs/operations.md, *MongoDB transactions*).
"""

from __future__ import annotations

import structlog
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from innertalk.infrastructure.storage.mongo.documents import WritePlan
from innertalk.infrastructure.storage.mongo.values import Document

log = structlog.get_logger(__name__)

ILLEGAL_OPERATION = 20
"""The server's code for a transaction it cannot run."""


async def supports_transactions(client: AsyncMongoClient[Document]) -> bool:
    """Whether the server is a replica set member or ``mongos`` (asked with ``hello``)."""
    hello = await client.admin.command("hello")
    return "setName" in hello or hello.get("msg") == "isdbgrid"


async def write_in_transaction(
    client: AsyncMongoClient[Document], db: AsyncDatabase[Document], plan: WritePlan
) -> bool:
    """Every bulk write of ``plan`` in one transaction (the driver retries it on a transient
    transaction error; the writes are upserts, so a retry is harmless).

    ``False`` (nothing written) when the server refuses transactions after all (code 20,
    ``IllegalOperation``: a member without them, or a test fake)."""

    async def apply(session: AsyncClientSession) -> None:
        for collection, upserts, ordered in plan:
            await db[collection].bulk_write(upserts, ordered=ordered, session=session)

    async with client.start_session() as session:
        try:
            await session.with_transaction(apply)
        except OperationFailure as error:
            if error.code != ILLEGAL_OPERATION:
                raise
            log.warning("storage.transactions_unsupported", backend="mongodb")
            return False
    return True
