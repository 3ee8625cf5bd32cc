"""Reminder settings in SQLite: the row mapping, the statements, and ``SqliteReminderStore``.

Local times (``remind_at``, quiet hours) are ``HH:MM`` text; moments are fixed-width UTC text,
so ``next_due_at <= :now`` compares instants. The due query is served by the partial index
``reminders_due (next_due_at, bot_id, user_id) WHERE enabled = 1``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time

import aiosqlite

from innertalk.domain.reminders import ReminderSettings
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import (
    STORAGE_READS,
    STORAGE_SECONDS,
    STORAGE_WRITES,
)
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.sqlite.values import (
    Params,
    Row,
    optional_moment,
    optional_text,
)
from innertalk.infrastructure.storage.timestamps import clock_from, clock_text

# ``last_sent_at`` never moves back: a stale copy written over a claim keeps the send.
UPSERT_REMINDER = """
INSERT INTO reminders (bot_id, user_id, enabled, remind_at, quiet_start, quiet_end, timezone,
                       snoozed_until, next_due_at, last_sent_at, failures)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bot_id, user_id) DO UPDATE SET
    enabled = excluded.enabled, remind_at = excluded.remind_at,
    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
    timezone = excluded.timezone, snoozed_until = excluded.snoozed_until,
    next_due_at = excluded.next_due_at, failures = excluded.failures,
    last_sent_at = CASE
        WHEN last_sent_at IS NULL OR excluded.last_sent_at > last_sent_at
        THEN excluded.last_sent_at ELSE last_sent_at END
"""

_COLUMNS = """enabled, remind_at, quiet_start, quiet_end, timezone, snoozed_until, next_due_at,
              last_sent_at, failures"""

REMINDER = f"""
SELECT {_COLUMNS} FROM reminders WHERE bot_id = :bot_id AND user_id = :user_id
"""  # noqa: S608 - a constant column list

DUE_REMINDERS = f"""
SELECT bot_id, user_id, {_COLUMNS} FROM reminders
WHERE enabled = 1 AND next_due_at <= :now
ORDER BY next_due_at, bot_id, user_id
LIMIT :limit
"""  # noqa: S608 - a constant column list

CLAIM_REMINDER = """
UPDATE reminders
SET next_due_at = :next_due_at, last_sent_at = :sent_at, failures = :failures
WHERE bot_id = :bot_id AND user_id = :user_id AND enabled = 1 AND next_due_at = :due_at
"""

EXPORT_REMINDER = REMINDER


def reminder_params(record: ReminderSettings) -> Params:
    """The parameters of ``UPSERT_REMINDER`` for ``record``."""
    return (
        record.key.bot_id,
        record.key.user_id,
        int(record.enabled),
        clock_text(record.at),
        clock_text(record.quiet_start),
        clock_text(record.quiet_end),
        record.timezone,
        optional_text(record.snoozed_until),
        optional_text(record.next_due_at),
        optional_text(record.last_sent_at),
        record.failures,
    )


def reminder_from(key: UserKey, row: Row) -> ReminderSettings:
    return ReminderSettings(
        key=key,
        enabled=bool(row["enabled"]),
        at=time.fromisoformat(row["remind_at"]),
        quiet_start=clock_from(row["quiet_start"]),
        quiet_end=clock_from(row["quiet_end"]),
        snoozed_until=optional_moment(row["snoozed_until"]),
        next_due_at=optional_moment(row["next_due_at"]),
        last_sent_at=optional_moment(row["last_sent_at"]),
        timezone=row["timezone"],
        failures=row["failures"],
    )


class SqliteReminderStore:
    """``ReminderStore`` for ``SqliteStorage``, which provides the connection and its lock."""

    reads: int
    writes: int
    _lock: asyncio.Lock

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError

    async def get_reminder(self, key: UserKey) -> ReminderSettings | None:
        owner = {"bot_id": key.bot_id, "user_id": key.user_id}
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            with STORAGE_SECONDS.labels(operation="get_reminder").time():
                rows = await self.connection.execute_fetchall(REMINDER, owner)
        return next((reminder_from(key, row) for row in rows), None)

    async def due_reminders(self, now: datetime, limit: int) -> list[ReminderSettings]:
        params = {"now": optional_text(now), "limit": max(limit, 0)}
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            with STORAGE_SECONDS.labels(operation="due_reminders").time():
                rows = await self.connection.execute_fetchall(DUE_REMINDERS, params)
        return [reminder_from(UserKey(row["bot_id"], row["user_id"]), row) for row in rows]

    async def claim_reminder(
        self,
        key: UserKey,
        due_at: datetime,
        next_due_at: datetime | None,
        sent_at: datetime | None,
        *,
        failures: int = 0,
    ) -> bool:
        """One ``UPDATE … WHERE next_due_at = :due_at``: SQLite's write lock lets exactly one
        connection (of any process sharing the file) change the row."""
        params = {
            "bot_id": key.bot_id,
            "user_id": key.user_id,
            "due_at": optional_text(due_at),
            "next_due_at": optional_text(next_due_at),
            "sent_at": optional_text(sent_at),
            "failures": failures,
        }
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            with STORAGE_SECONDS.labels(operation="claim_reminder").time():
                async with schema.transaction(db):
                    cursor = await db.execute(CLAIM_REMINDER, params)
        return cursor.rowcount == 1
