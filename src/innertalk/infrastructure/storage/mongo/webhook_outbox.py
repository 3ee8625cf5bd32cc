"""The webhook outbox as a collection (``webhook_outbox``) in the MongoDB database.

Documents are ``{_id: <event id>, tenant, body, created_at, due_at, attempts, claim,
leased_until, last_error, died_at}``; ``body`` is sealed with ENCRYPTION_KEY when set. Writes
use ``w: majority, j: true`` like the inbox. A claim leases one event per
``find_one_and_update`` (atomic on one document), so two processes never lease the same one;
every later write names its claim. The client's ``timeoutMS`` bounds every call.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError
from pymongo.write_concern import WriteConcern

from innertalk.application.webhooks.outbox import (
    Backlog,
    DeadEvent,
    OutboxEvent,
    OutboxUnavailableError,
)
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.mongo.client import client_options, silence_driver_debug_log

Document = dict[str, Any]
COLLECTION = "webhook_outbox"
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")


class MongoWebhookOutbox:
    """A ``WebhookOutbox`` in a collection; ``open`` it from a URL, or wrap a collection."""

    def __init__(
        self,
        collection: AsyncCollection[Document],
        seal: BodySeal | None = None,
        *,
        client: AsyncMongoClient[Document] | None = None,
    ) -> None:
        """``client``: closed by ``close`` (a client of the outbox's own)."""
        self._events = collection.with_options(write_concern=WriteConcern(w="majority", j=True))
        self._seal = seal or BodySeal()
        self._client = client

    @classmethod
    async def open(
        cls, url: str, database: str, seal: BodySeal | None = None
    ) -> MongoWebhookOutbox:
        """An outbox with a client of its own on ``database``, its indexes created."""
        silence_driver_debug_log()
        client: AsyncMongoClient[Document] = AsyncMongoClient(url, **client_options(url))
        outbox = cls(client[database][COLLECTION], seal, client=client)
        try:
            await outbox.prepare()
        except BaseException:
            await client.close()
            raise
        return outbox

    async def prepare(self) -> None:
        """Create the indexes claims and the dead list read by (idempotent)."""
        await _guarded(
            self._events.create_index(
                [("died_at", ASCENDING), ("due_at", ASCENDING)], name="outbox_due"
            )
        )

    async def add(self, event: OutboxEvent) -> None:
        document = {
            "_id": event.id,
            "tenant": event.tenant,
            "body": self._seal.seal(event.id, event.body),
            "created_at": event.created_at,
            "due_at": event.due_at,
            "attempts": 0,
            "claim": "",
            "leased_until": _NEVER,
            "last_error": "",
            "died_at": None,
        }
        try:
            await self._events.insert_one(document)
        except DuplicateKeyError:
            return  # added already: a retried write
        except PyMongoError as error:
            raise OutboxUnavailableError(type(error).__name__) from None

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, *, claim: str
    ) -> list[OutboxEvent]:
        due = {"died_at": None, "due_at": {"$lte": now}, "leased_until": {"$lte": now}}
        lease_to = {"$set": {"claim": claim, "leased_until": now + lease}}
        events = []
        for _ in range(limit):
            document = await _guarded(
                self._events.find_one_and_update(
                    due,
                    lease_to,
                    sort=[("due_at", ASCENDING)],
                    return_document=ReturnDocument.AFTER,
                )
            )
            if document is None:
                break
            events.append(self._event(document))
        return events

    async def delivered(self, event_id: str, claim: str) -> bool:
        result = await _guarded(self._events.delete_one(_held(event_id, claim)))
        return result.deleted_count > 0

    async def retry(
        self, event_id: str, claim: str, *, due_at: datetime, attempts: int, error: str
    ) -> bool:
        change = {"due_at": due_at, "attempts": attempts, "last_error": error}
        return await self._release(event_id, claim, change)

    async def bury(
        self, event_id: str, claim: str, *, at: datetime, attempts: int, error: str
    ) -> bool:
        change = {"died_at": at, "attempts": attempts, "last_error": error}
        return await self._release(event_id, claim, change)

    async def backlog(self) -> Backlog:
        pending = await _guarded(self._events.count_documents({"died_at": None}))
        dead = await _guarded(self._events.count_documents({"died_at": {"$ne": None}}))
        oldest = await _guarded(
            self._events.find_one({"died_at": None}, sort=[("created_at", ASCENDING)])
        )
        return Backlog(pending, None if oldest is None else _utc(oldest["created_at"]), dead)

    async def dead(self, limit: int) -> list[DeadEvent]:
        cursor = self._events.find({"died_at": {"$ne": None}}, {"body": 0})
        documents = await _guarded(cursor.sort("died_at", DESCENDING).limit(limit).to_list())
        return [
            DeadEvent(
                str(doc["_id"]),
                str(doc["tenant"]),
                _utc(doc["created_at"]),
                _utc(doc["died_at"]),
                int(doc["attempts"]),
                str(doc["last_error"]),
            )
            for doc in documents
        ]

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def _release(self, event_id: str, claim: str, change: Document) -> bool:
        update = {"$set": {**change, "claim": "", "leased_until": _NEVER}}
        result = await _guarded(self._events.update_one(_held(event_id, claim), update))
        return result.modified_count > 0

    def _event(self, doc: Document) -> OutboxEvent:
        event_id = str(doc["_id"])
        body = self._seal.open(event_id, str(doc["body"]))
        return OutboxEvent(
            event_id,
            str(doc["tenant"]),
            body or b"",
            _utc(doc["created_at"]),
            _utc(doc["due_at"]),
            int(doc["attempts"]),
            str(doc["claim"]),
            opened=body is not None,
        )


def _held(event_id: str, claim: str) -> Document:
    return {"_id": event_id, "claim": claim, "died_at": None}


def _utc(moment: datetime) -> datetime:
    """PyMongo returns naive UTC datetimes (the client is not ``tz_aware``)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _guarded(call: Awaitable[_T]) -> _T:
    try:
        return await call
    except PyMongoError as error:
        raise OutboxUnavailableError(type(error).__name__) from None
