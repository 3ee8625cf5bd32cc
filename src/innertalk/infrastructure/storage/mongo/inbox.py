"""The inbox as a collection (``update_inbox``) in the MongoDB database.

Documents are ``{_id: "<bot>:<update>", bot_id, update_id, payload, answered}``; ``payload``
is sealed with ENCRYPTION_KEY when set. Writes use ``w: majority, j: true``: a filed update
is in the journal of most members before ``file`` returns (on a standalone server: in its
journal). The client's ``timeoutMS`` bounds every call; a failure is
``InboxUnavailableError`` and the caller does not acknowledge the update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, PyMongoError
from pymongo.write_concern import WriteConcern

from innertalk.application.inbox import InboxEntry, InboxUnavailableError
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.storage.mongo.client import client_options, silence_driver_debug_log

Document = dict[str, Any]
COLLECTION = "update_inbox"
DUPLICATE_KEY = 11000


class MongoUpdateInbox:
    """An ``UpdateInbox`` in a collection; ``open`` it from a URL, or wrap a collection."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        seal: PayloadSeal | None = None,
        *,
        client: AsyncMongoClient[Document] | None = None,
    ) -> None:
        """``client``: closed by ``close`` (a client of the inbox's own)."""
        self._entries = collection.with_options(write_concern=WriteConcern(w="majority", j=True))
        self._seal = seal or PayloadSeal()
        self._client = client

    @classmethod
    async def open(
        cls, url: str, database: str, seal: PayloadSeal | None = None
    ) -> MongoUpdateInbox:
        """An inbox with a client of its own on ``database``, its index created."""
        silence_driver_debug_log()
        client: AsyncMongoClient[Document] = AsyncMongoClient(url, **client_options(url))
        inbox = cls(client[database][COLLECTION], seal, client=client)
        await inbox.prepare()
        return inbox

    async def prepare(self) -> None:
        """Create the index replay reads by (idempotent)."""
        try:
            await self._entries.create_index(
                [("bot_id", ASCENDING), ("update_id", ASCENDING)], name="inbox_order"
            )
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        if not entries:
            return set()
        documents = [
            {
                "_id": f"{bot_id}:{update_id}",
                "bot_id": bot_id,
                "update_id": update_id,
                "payload": self._seal.seal(bot_id, update_id, payload),
                "answered": False,
            }
            for update_id, payload in entries
        ]
        ids = [update_id for update_id, _ in entries]
        try:
            await self._entries.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(e.get("code") != DUPLICATE_KEY for e in errors):
                raise InboxUnavailableError("BulkWriteError") from None
            return set(ids) - {ids[e["index"]] for e in errors}
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return set(ids)

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        try:
            cursor = self._entries.find({"bot_id": bot_id}).sort("update_id", ASCENDING)
            documents = await cursor.limit(limit).to_list()
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return [
            self._seal.entry(
                bot_id, int(doc["update_id"]), str(doc["payload"]), bool(doc.get("answered"))
            )
            for doc in documents
        ]

    async def answered(self, bot_id: str, update_id: int) -> None:
        try:
            await self._entries.update_one(
                {"_id": f"{bot_id}:{update_id}"}, {"$set": {"answered": True}}
            )
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None

    async def done(self, bot_id: str, update_id: int) -> None:
        try:
            await self._entries.delete_one({"_id": f"{bot_id}:{update_id}"})
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None

    async def reseal(self, bot_id: str | None = None) -> int:
        """One bulk write; a document is only rewritten if its payload is still the one read."""
        query: Document = {} if bot_id is None else {"bot_id": bot_id}
        try:
            documents = await self._entries.find(query).to_list()
            changes = [
                UpdateOne(
                    {"_id": doc["_id"], "payload": doc["payload"]}, {"$set": {"payload": new}}
                )
                for doc in documents
                if (new := self._reseal(doc)) is not None
            ]
            if changes:
                await self._entries.bulk_write(changes, ordered=False)
        except PyMongoError as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return len(changes)

    def _reseal(self, doc: Document) -> str | None:
        return self._seal.reseal(str(doc["bot_id"]), int(doc["update_id"]), str(doc["payload"]))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
