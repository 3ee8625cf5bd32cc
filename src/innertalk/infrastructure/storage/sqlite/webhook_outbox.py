"""The webhook outbox as a table (``webhook_outbox``, migration 6) in the SQLite database.

A connection of its own with ``synchronous = FULL`` (an enqueued crisis event survives a
power cut, like the inbox's updates). A claim is one ``UPDATE … RETURNING`` statement, so two
processes sharing the file never lease the same event; every later write names its claim.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from innertalk.application.webhooks.outbox import (
    Backlog,
    DeadEvent,
    OutboxEvent,
    OutboxUnavailableError,
)
from innertalk.infrastructure.outbox_seal import BodySeal
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.timestamps import moment_from, moment_text

_INSERT = (
    "INSERT OR IGNORE INTO webhook_outbox (id, tenant, body, created_at, due_at) "
    "VALUES (?, ?, ?, ?, ?)"
)
_CLAIM = """
UPDATE webhook_outbox SET claim = ?, leased_until = ?
WHERE id IN (
    SELECT id FROM webhook_outbox
    WHERE died_at IS NULL AND due_at <= ? AND leased_until <= ?
    ORDER BY due_at LIMIT ?
)
RETURNING id, tenant, body, created_at, due_at, attempts
"""
# each ends with the event's id and the claim that must still hold it
_DELIVERED = "DELETE FROM webhook_outbox WHERE id = ? AND claim = ? AND died_at IS NULL"
_RETRY = (
    "UPDATE webhook_outbox SET due_at = ?, attempts = ?, last_error = ?, claim = '', "
    "leased_until = '' WHERE id = ? AND claim = ? AND died_at IS NULL"
)
_BURY = (
    "UPDATE webhook_outbox SET died_at = ?, attempts = ?, last_error = ?, claim = '' "
    "WHERE id = ? AND claim = ? AND died_at IS NULL"
)


class SqliteWebhookOutbox:
    """A ``WebhookOutbox`` in the ``webhook_outbox`` table; ``open`` it on a migrated database."""

    def __init__(self, db: aiosqlite.Connection, seal: BodySeal) -> None:
        self._db = db
        self._seal = seal
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, seal: BodySeal | None = None) -> SqliteWebhookOutbox:
        """``OutboxUnavailableError`` when the file or its table is missing."""
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            raise OutboxUnavailableError(type(error).__name__) from None
        try:
            for pragma in schema.PRAGMAS:
                await db.execute(pragma)
            await db.execute("PRAGMA synchronous = FULL")
            # read to the end: a row left unread keeps a read transaction (a stale snapshot)
            # open, and this connection's next write could fail with "database is locked"
            await db.execute_fetchall("SELECT 1 FROM webhook_outbox LIMIT 1")
        except sqlite3.Error:
            await db.close()
            raise OutboxUnavailableError(
                "no webhook_outbox table; run `innertalk migrate`"
            ) from None
        except BaseException:
            await db.close()
            raise
        return cls(db, seal or BodySeal())

    async def add(self, event: OutboxEvent) -> None:
        row = (
            event.id,
            event.tenant,
            self._seal.seal(event.id, event.body),
            moment_text(event.created_at),
            moment_text(event.due_at),
        )
        await self._write(_INSERT, row)

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, *, claim: str
    ) -> list[OutboxEvent]:
        at = moment_text(now)
        values = (claim, moment_text(now + lease), at, at, limit)
        rows = await self._fetch(_CLAIM, values)
        events = [self._event(row, claim) for row in rows]
        return sorted(events, key=lambda event: event.due_at)  # RETURNING has no order

    async def delivered(self, event_id: str, claim: str) -> bool:
        return await self._write(_DELIVERED, (event_id, claim)) > 0

    async def retry(
        self, event_id: str, claim: str, *, due_at: datetime, attempts: int, error: str
    ) -> bool:
        values = (moment_text(due_at), attempts, error, event_id, claim)
        return await self._write(_RETRY, values) > 0

    async def bury(
        self, event_id: str, claim: str, *, at: datetime, attempts: int, error: str
    ) -> bool:
        values = (moment_text(at), attempts, error, event_id, claim)
        return await self._write(_BURY, values) > 0

    async def backlog(self) -> Backlog:
        rows = await self._fetch(
            "SELECT COUNT(*) FILTER (WHERE died_at IS NULL), "
            "MIN(created_at) FILTER (WHERE died_at IS NULL), "
            "COUNT(*) FILTER (WHERE died_at IS NOT NULL) FROM webhook_outbox",
            (),
        )
        pending, oldest, dead = rows[0]
        return Backlog(int(pending), moment_from(oldest) if oldest else None, int(dead))

    async def dead(self, limit: int) -> list[DeadEvent]:
        rows = await self._fetch(
            "SELECT id, tenant, created_at, died_at, attempts, last_error FROM webhook_outbox "
            "WHERE died_at IS NOT NULL ORDER BY died_at DESC LIMIT ?",
            (limit,),
        )
        return [
            DeadEvent(str(i), str(t), moment_from(c), moment_from(d), int(n), str(e))
            for i, t, c, d, n, e in rows
        ]

    async def close(self) -> None:
        await self._db.close()

    def _event(self, row: tuple[Any, ...], claim: str) -> OutboxEvent:
        event_id, tenant, stored, created, due, attempts = row
        body = self._seal.open(str(event_id), str(stored))
        return OutboxEvent(
            str(event_id),
            str(tenant),
            body or b"",
            moment_from(str(created)),
            moment_from(str(due)),
            int(attempts),
            claim,
            opened=body is not None,
        )

    async def _fetch(self, statement: str, values: tuple[object, ...]) -> list[tuple[Any, ...]]:
        try:
            async with self._lock:
                return [tuple(row) for row in await self._db.execute_fetchall(statement, values)]
        except (sqlite3.Error, OSError) as error:
            raise OutboxUnavailableError(type(error).__name__) from None

    async def _write(self, statement: str, values: tuple[object, ...]) -> int:
        """The number of rows changed."""
        try:
            async with self._lock:
                cursor = await self._db.execute(statement, values)
                return cursor.rowcount
        except (sqlite3.Error, OSError) as error:
            raise OutboxUnavailableError(type(error).__name__) from None
