"""Storage in MongoDB through PyMongo's asyncio client (``AsyncMongoClient``).

Layout and values: ``mongo.documents``; indexes and the retention TTL: ``mongo.schema``.
Differences from SQLite an operator should know:

- A batch is written with one ``bulk_write`` per collection. On a replica set (or through
  ``mongos``) the bulk writes of one batch run in one transaction, so a batch spanning
  collections lands whole or not at all; a standalone server has no transactions, and there
  every record is checked before anything is sent (so a bad record fails the batch with
  nothing written) and every write is an idempotent upsert, so the write-behind queue's retry
  of a batch that failed halfway converges on the same documents.
- ``delete_user`` runs one ``delete_many`` per collection; run again, it finishes the job.
- ``seq`` (the write order) comes from one ``counters`` document, one ``$inc`` per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pymongo
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from innertalk.application.ports import Record
from innertalk.domain.conversation import ConversationContext, Session, Turn
from innertalk.domain.privacy import UserRecords
from innertalk.domain.users import Profile, UserKey
from innertalk.domain.wellbeing import Feedback, MoodEntry, Portrait, QuestionnaireResult
from innertalk.infrastructure.crypto import FieldCipher
from innertalk.infrastructure.observability.metrics import STORAGE_SECONDS
from innertalk.infrastructure.storage.mongo import queries, schema
from innertalk.infrastructure.storage.mongo.analytics import MongoAnalyticsStore
from innertalk.infrastructure.storage.mongo.at_rest import MongoAtRestStore
from innertalk.infrastructure.storage.mongo.client import (
    MongoStartupError,
    client_options,
    hosts_of,
    scrubbed,
    silence_driver_debug_log,
    startup_reason,
)
from innertalk.infrastructure.storage.mongo.dead_letters import MongoDeadLetterStore
from innertalk.infrastructure.storage.mongo.documents import (
    FEEDBACK,
    MOOD,
    PORTRAIT,
    PROFILES,
    RECORDS,
    RESULT,
    SESSION,
    TURNS,
    MongoCodec,
    WritePlan,
    needs_seq,
)
from innertalk.infrastructure.storage.mongo.fsm import MongoFsmStore
from innertalk.infrastructure.storage.mongo.operators import MongoOperatorStore
from innertalk.infrastructure.storage.mongo.reminders import MongoReminderStore
from innertalk.infrastructure.storage.mongo.stats import MongoStatsStore
from innertalk.infrastructure.storage.mongo.tenants import MongoTenantStore
from innertalk.infrastructure.storage.mongo.transactions import (
    supports_transactions,
    write_in_transaction,
)
from innertalk.infrastructure.storage.mongo.values import Document, moment_text, owner
from innertalk.infrastructure.storage.sealing import FieldSeal
from innertalk.infrastructure.storage.timestamps import normalized

DEFAULT_DATABASE = "innertalk"
MIGRATE_TIMEOUT = 600.0
"""Seconds ``migrate`` may take: building an index on a large collection is slow."""


class MongoStorage(
    MongoReminderStore,
    MongoStatsStore,
    MongoFsmStore,
    MongoAtRestStore,
    MongoDeadLetterStore,
    MongoTenantStore,
    MongoAnalyticsStore,
    MongoOperatorStore,
):
    """A complete ``Storage`` in MongoDB; ``reads``/``writes`` count round trips of reads and
    write calls.

    Create it with ``await MongoStorage.open(url)``, then ``await storage.migrate()``.
    """

    def __init__(
        self,
        client: AsyncMongoClient[Document],
        database: str = DEFAULT_DATABASE,
        *,
        retention_days: int = 0,
        cipher: FieldCipher | None = None,
    ) -> None:
        self.client = client
        self.codec = MongoCodec(FieldSeal(cipher))
        self.retention_days = retention_days
        self.reads = 0
        self.writes = 0
        self._db: AsyncDatabase[Document] = client[database]
        self._transactions: bool | None = None
        """Whether the server runs transactions (replica set or ``mongos``); asked once."""

    @classmethod
    async def open(
        cls,
        url: str,
        database: str = DEFAULT_DATABASE,
        *,
        retention_days: int = 0,
        cipher: FieldCipher | None = None,
    ) -> MongoStorage:
        """A storage on ``database`` whose server answered a ``ping``.

        ``MongoStartupError`` when the URL is unusable or no server answers in time.
        """
        silence_driver_debug_log()
        try:
            client: AsyncMongoClient[Document] = AsyncMongoClient(url, **client_options(url))
        except (PyMongoError, ValueError, TypeError) as error:
            raise MongoStartupError(f"unusable MongoDB URL: {scrubbed(str(error), url)}") from None
        storage = cls(client, database, retention_days=retention_days, cipher=cipher)
        try:
            # Under timeoutMS PyMongo selects a server for as long as the operation may take;
            # an unreachable server at start-up should fail within serverSelectionTimeoutMS.
            with pymongo.timeout(client.options.server_selection_timeout):
                await storage.ping()
        except PyMongoError as error:
            await client.close()
            reason = startup_reason(error)
            raise MongoStartupError(f"MongoDB at {hosts_of(url)}: {reason}") from None
        return storage

    async def prepare(self, *, migrate: bool) -> None:
        """At start-up: ``migrate``, or check that migrating would change nothing.

        ``MongoStartupError`` (the storage closed) when indexes are missing or either fails.
        """
        try:
            await (self.migrate() if migrate else self.check_indexes())
        except PyMongoError as error:
            await self.close()
            action = "migrate" if migrate else "check the indexes of"
            raise MongoStartupError(
                f"cannot {action} MongoDB database {self._db.name!r}: {startup_reason(error)}"
            ) from None
        except BaseException:
            await self.close()
            raise

    @property
    def database(self) -> AsyncDatabase[Document]:
        """The database, for tests and diagnostics only: it bypasses the counters."""
        return self._db

    async def migrate(self) -> None:
        with pymongo.timeout(MIGRATE_TIMEOUT):
            await schema.migrate(self._db, self.retention_days)

    async def check_indexes(self) -> None:
        """``MongoStartupError`` naming what ``migrate`` would create or change, if anything."""
        missing = await schema.missing_indexes(self._db, self.retention_days)
        if missing:
            raise MongoStartupError(
                f"MongoDB database {self._db.name!r} lacks indexes {', '.join(missing)}; "
                "run `innertalk migrate`"
            )

    async def close(self) -> None:
        """Close the pool; every write call has already returned, so nothing is pending."""
        await self.client.close()

    async def ping(self) -> None:
        """One ``ping`` command; not counted as a read."""
        await self.client.admin.command("ping")

    async def write(self, records: Sequence[Record]) -> None:
        """Upsert ``records``, one ``bulk_write`` per collection (parents first); a record that
        cannot be stored fails the batch before anything is sent."""
        if not records:
            return
        self.writes += 1
        checked = [normalized(record) for record in records]
        with STORAGE_SECONDS.labels(operation="write").time():
            first = await self._reserve_seq(sum(needs_seq(record) for record in checked))
            plan = list(self.codec.write_plan(checked, first))
            if await self._transactional() and await self._write_in_transaction(plan):
                return
            for collection, upserts, ordered in plan:
                await self._db[collection].bulk_write(upserts, ordered=ordered)

    async def _transactional(self) -> bool:
        if self._transactions is None:
            self._transactions = await supports_transactions(self.client)
        return self._transactions

    async def _write_in_transaction(self, plan: WritePlan) -> bool:
        if await write_in_transaction(self.client, self._db, plan):
            return True
        self._transactions = False  # refused after all: write without from now on
        return False

    async def _reserve_seq(self, count: int) -> int:
        """The first of ``count`` consecutive ``seq`` numbers, taken for this batch."""
        if count == 0:
            return 0
        counter = await self._db[schema.COUNTERS].find_one_and_update(
            {"_id": "seq"},
            {"$inc": {"value": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert counter is not None  # upserted
        return int(counter["value"]) - count + 1

    async def newest_turn_text(self) -> str | None:
        """The text of the newest stored turn, as stored (to check encryption keys at start)."""
        doc = await self._db[TURNS].find_one(
            {}, {"text": 1}, sort=[("created_date", pymongo.DESCENDING)]
        )
        return None if doc is None else str(doc["text"])

    async def _find(
        self,
        operation: str,
        collection: str,
        query: Document,
        sort: list[tuple[str, int]],
        limit: int = 0,
    ) -> list[Document]:
        """One ``find``, one round trip (``limit`` 0: all)."""
        self.reads += 1
        with STORAGE_SECONDS.labels(operation=operation).time():
            cursor = self._db[collection].find(query, sort=sort, limit=limit)
            return await cursor.to_list()

    async def _newest(self, operation: str, key: UserKey, kind: str, limit: int) -> list[Document]:
        if limit <= 0:
            return []
        query = queries.of_kind(key, kind)
        return await self._find(operation, RECORDS, query, queries.NEWEST, limit)

    async def load_context(
        self, key: UserKey, turn_limit: int, opening_limit: int = 0
    ) -> ConversationContext:
        self.reads += 1
        pipeline = queries.context_pipeline(key, turn_limit, opening_limit)
        with STORAGE_SECONDS.labels(operation="load_context").time():
            cursor = await self._db[RECORDS].aggregate(pipeline)
            (found,) = await cursor.to_list()
        session = next((self.codec.session_from(key, doc) for doc in found["open"]), None)
        turns, opening = (
            [
                self.codec.turn_from(key, doc)
                for doc in found.get(name) or []
                if isinstance(doc, dict)
            ]
            for name in ("turns", "opening")
        )
        return ConversationContext(
            key=key,
            profile=next((self.codec.profile_from(key, doc) for doc in found["profile"]), None),
            session=session,
            previous_summary=self.codec.summary(
                key, next((doc["summary"] for doc in found["previous"]), None)
            ),
            recent_turns=tuple(reversed(turns)) if session else (),
            opening_turns=tuple(opening) if session else (),
            recent_results=tuple(self.codec.result_from(key, doc) for doc in found["results"]),
        )

    async def session_turns(self, key: UserKey, session_id: str, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        query = queries.session_turns(key, session_id)
        docs = await self._find("session_turns", TURNS, query, queries.NEWEST_TURNS, limit)
        return [self.codec.turn_from(key, doc) for doc in reversed(docs)]

    async def recent_messages(self, key: UserKey, limit: int) -> list[Turn]:
        if limit <= 0:
            return []
        query = queries.own_messages(key)
        docs = await self._find("recent_messages", TURNS, query, queries.NEWEST_TURNS, limit)
        return [self.codec.turn_from(key, doc) for doc in reversed(docs)]

    async def sessions(self, key: UserKey, limit: int) -> list[Session]:
        docs = await self._newest("sessions", key, SESSION, limit)
        return [self.codec.session_from(key, doc) for doc in docs]

    async def get_profile(self, key: UserKey) -> Profile | None:
        self.reads += 1
        with STORAGE_SECONDS.labels(operation="get_profile").time():
            doc = await self._db[PROFILES].find_one({"_id": owner(key)})
        return None if doc is None else self.codec.profile_from(key, doc)

    async def moods(self, key: UserKey, limit: int) -> list[MoodEntry]:
        return [
            self.codec.mood_from(key, doc) for doc in await self._newest("moods", key, MOOD, limit)
        ]

    async def questionnaire_results(
        self, key: UserKey, limit: int, instrument: str | None = None
    ) -> list[QuestionnaireResult]:
        if limit <= 0:
            return []
        query = queries.of_kind(key, RESULT)
        if instrument is not None:
            query["instrument"] = instrument
        docs = await self._find("questionnaire_results", RECORDS, query, queries.NEWEST, limit)
        return [self.codec.result_from(key, doc) for doc in docs]

    async def portraits(self, key: UserKey, limit: int) -> list[Portrait]:
        docs = await self._newest("portraits", key, PORTRAIT, limit)
        return [self.codec.portrait_from(key, doc) for doc in docs]

    async def feedback(self, key: UserKey, limit: int) -> list[Feedback]:
        docs = await self._newest("feedback", key, FEEDBACK, limit)
        return [self.codec.feedback_from(key, doc) for doc in docs]

    async def export_user(self, key: UserKey) -> UserRecords:
        records = await self._find("export", RECORDS, owner(key), queries.OLDEST)
        turns = await self._find("export", TURNS, owner(key), queries.OLDEST_TURNS)
        reminder = await self.get_reminder(key)
        by_kind: dict[str, list[Document]] = {}
        for doc in records:
            by_kind.setdefault(doc["kind"], []).append(doc)
        return UserRecords(
            key=key,
            profile=await self.get_profile(key),
            sessions=tuple(self.codec.session_from(key, doc) for doc in by_kind.get(SESSION, [])),
            turns=tuple(self.codec.turn_from(key, doc) for doc in turns),
            moods=tuple(self.codec.mood_from(key, doc) for doc in by_kind.get(MOOD, [])),
            results=tuple(self.codec.result_from(key, doc) for doc in by_kind.get(RESULT, [])),
            portraits=tuple(
                self.codec.portrait_from(key, doc) for doc in by_kind.get(PORTRAIT, [])
            ),
            feedback=tuple(
                self.codec.feedback_from(key, doc) for doc in by_kind.get(FEEDBACK, [])
            ),
            reminder=reminder,
        )

    async def delete_user(self, key: UserKey) -> int:
        self.writes += 1
        erased = 0
        for collection in schema.USER_COLLECTIONS:
            erased += (await self._db[collection].delete_many(owner(key))).deleted_count
        return erased

    async def count_user_rows(self, key: UserKey) -> dict[str, int]:
        """Documents per collection that belong to ``key`` (for tests and operators' checks)."""
        return {
            collection: await self._db[collection].count_documents(owner(key))
            for collection in schema.USER_COLLECTIONS
        }

    async def forget_summaries(self, key: UserKey) -> int:
        self.writes += 1
        summarized = [{"summary": {"$ne": None}}, {"fold_summary": {"$ne": None}}]
        query = {**queries.of_kind(key, SESSION), "$or": summarized}
        cleared = {"summary": None, "fold_summary": None}
        result = await self._db[RECORDS].update_many(query, {"$set": cleared})
        return result.modified_count

    async def delete_results(self, key: UserKey) -> int:
        self.writes += 1
        result = await self._db[RECORDS].delete_many(queries.of_kind(key, RESULT))
        return result.deleted_count

    async def purge_turns_before(self, cutoff: datetime) -> int:
        """``created_date`` (milliseconds, indexed) narrows the range; the text, exact to the
        microsecond, decides."""
        self.writes += 1
        query = {"created_date": {"$lte": cutoff}, "created_at": {"$lt": moment_text(cutoff)}}
        return (await self._db[TURNS].delete_many(query)).deleted_count

    def __repr__(self) -> str:
        return f"MongoStorage(database={self._db.name!r})"
