"""Reminder settings in MongoDB: the document mapping and ``MongoReminderStore``.

One document per person in ``reminders``, ``_id`` = ``{bot_id, user_id}``. Local times are
``HH:MM`` text, moments fixed-width UTC text, so ``next_due_at <= now`` compares instants; the
due query is served by the partial index ``reminders_due (next_due_at, bot_id, user_id)
WHERE enabled``. ``last_sent_at`` is absent until a reminder is first sent: a write raises it
with ``$max`` and never moves it back, so a stale copy written over a claim keeps the send.
"""

from __future__ import annotations

from datetime import datetime, time

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import STORAGE_SECONDS
from innertalk.infrastructure.storage.mongo.values import (
    Document,
    moment_text,
    optional_moment,
    optional_text,
    owner,
)
from innertalk.infrastructure.storage.timestamps import clock_from, clock_text

REMINDERS = "reminders"
DUE_ORDER = [("next_due_at", ASCENDING), ("bot_id", ASCENDING), ("user_id", ASCENDING)]


def reminder_upsert(record: ReminderSettings) -> UpdateOne:
    """Replace the person's settings, raising ``last_sent_at`` only forwards."""
    fields = {
        **owner(record.key),
        "enabled": record.enabled,
        "remind_at": clock_text(record.at),
        "quiet_start": clock_text(record.quiet_start),
        "quiet_end": clock_text(record.quiet_end),
        "timezone": record.timezone,
        "snoozed_until": optional_text(record.snoozed_until),
        "next_due_at": optional_text(record.next_due_at),
        "failures": record.failures,
    }
    update: Document = {"$set": fields}
    if record.last_sent_at is not None:
        update["$max"] = {"last_sent_at": moment_text(record.last_sent_at)}
    return UpdateOne({"_id": owner(record.key)}, update, upsert=True)


def reminder_from(key: UserKey, doc: Document) -> ReminderSettings:
    return ReminderSettings(
        key=key,
        enabled=bool(doc["enabled"]),
        at=time.fromisoformat(doc["remind_at"]),
        quiet_start=clock_from(doc["quiet_start"]),
        quiet_end=clock_from(doc["quiet_end"]),
        snoozed_until=optional_moment(doc["snoozed_until"]),
        next_due_at=optional_moment(doc["next_due_at"]),
        last_sent_at=optional_moment(doc.get("last_sent_at")),
        timezone=doc["timezone"],
        failures=doc["failures"],
    )


class MongoReminderStore:
    """``ReminderStore`` for ``MongoStorage``, which provides the database and counters."""

    reads: int
    writes: int
    _db: AsyncDatabase[Document]

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        self.reads += 1
        with STORAGE_SECONDS.labels(operation="get_reminder").time():
            doc = await self._db[REMINDERS].find_one({"_id": owner(key)})
        return None if doc is None else reminder_from(key, doc)

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        if limit <= 0:
            return []
        self.reads += 1
        query = {"enabled": True, "next_due_at": {"$lte": moment_text(now)}}
        with STORAGE_SECONDS.labels(operation="due_reminders").time():
            cursor = self._db[REMINDERS].find(query, sort=DUE_ORDER, limit=limit)
            docs = await cursor.to_list()
        return [reminder_from(UserKey(doc["bot_id"], doc["user_id"]), doc) for doc in docs]

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        """One ``updateOne`` whose filter names the due moment: MongoDB changes a document
        atomically, so of every process claiming it exactly one matches."""
        query = {"_id": owner(key), "enabled": True, "next_due_at": moment_text(due_at)}
        update: Document = {
            "$set": {"next_due_at": optional_text(next_due_at), "failures": failures}
        }
        if sent_at is None:
            update["$unset"] = {"last_sent_at": ""}
        else:
            update["$set"]["last_sent_at"] = moment_text(sent_at)
        self.writes += 1
        with STORAGE_SECONDS.labels(operation="claim_reminder").time():
            result = await self._db[REMINDERS].update_one(query, update)
        return result.matched_count == 1
