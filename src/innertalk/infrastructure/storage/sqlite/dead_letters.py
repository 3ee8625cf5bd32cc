"""Dead letters and traceless erasing in SQLite, mixed into ``SqliteStorage``.

Erasing: ``secure_delete`` (``sqlite.schema.PRAGMAS``) zeroes erased rows in the database
file, but the write-ahead log still holds the pages as they were until a checkpoint copies
them back. ``_checkpoint`` runs ``wal_checkpoint(TRUNCATE)`` after an erase, which also
cuts the log file to zero bytes, so nothing erased survives on disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiosqlite
import structlog

from innertalk.application.ports import DeadLetter
from innertalk.domain.users import UserKey
from innertalk.infrastructure.observability.metrics import STORAGE_READS, STORAGE_WRITES
from innertalk.infrastructure.storage.sqlite import schema
from innertalk.infrastructure.storage.sqlite.values import moment_from, moment_text

log = structlog.get_logger(__name__)

_INSERT = """
INSERT INTO dead_letters (record_id, kind, bot_id, user_id, error, failed_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
_NEWEST = """
SELECT record_id, kind, bot_id, user_id, error, failed_at FROM dead_letters
ORDER BY seq DESC LIMIT :limit
"""


class SqliteDeadLetterStore:
    """``DeadLetterStore`` over ``SqliteStorage``'s connection and lock."""

    reads: int
    writes: int
    _lock: asyncio.Lock

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        rows = [
            (
                letter.record_id,
                letter.kind,
                letter.key.bot_id,
                letter.key.user_id,
                letter.error,
                moment_text(letter.failed_at),
            )
            for letter in letters
        ]
        async with self._lock:
            self.writes += 1
            STORAGE_WRITES.inc()
            db = self.connection
            async with schema.transaction(db):
                await db.executemany(_INSERT, rows)

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        async with self._lock:
            self.reads += 1
            STORAGE_READS.inc()
            rows = await self.connection.execute_fetchall(_NEWEST, {"limit": max(limit, 0)})
        return [
            DeadLetter(
                key=UserKey(row["bot_id"], int(row["user_id"])),
                record_id=row["record_id"],
                kind=row["kind"],
                error=row["error"],
                failed_at=moment_from(row["failed_at"]),
            )
            for row in rows
        ]

    async def _checkpoint(self) -> None:
        """Copy the log into the database and truncate it (call after an erase, unlocked).

        A reader in another process can keep the log from being reset; the next erase or
        SQLite's own checkpoints finish the job, so a busy result is only logged."""
        async with self._lock:
            rows = list(await self.connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        if rows and rows[0][0]:
            log.warning("storage.checkpoint_busy", backend="sqlite")
