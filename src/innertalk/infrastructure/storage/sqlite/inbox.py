"""The inbox as a table (``update_inbox``, migration 3) in the SQLite database.

It has a connection of its own with ``synchronous = FULL``: a filed update is on disk (the
write-ahead log fsynced) before ``file`` returns, so it survives a power cut too, not only a
killed process. Waiting for another writer is bounded by ``busy_timeout`` (5 s); anything
that fails is ``InboxUnavailableError``, and the caller does not acknowledge the update.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from innertalk.application.inbox import InboxEntry, InboxUnavailableError
from innertalk.infrastructure.inbox_seal import PayloadSeal
from innertalk.infrastructure.storage.sqlite import schema

_INSERT = (
    "INSERT OR IGNORE INTO update_inbox (bot_id, update_id, payload, filed_at) "
    "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
)
_KNOWN = "SELECT update_id FROM update_inbox WHERE bot_id = ? AND update_id IN ({marks})"


class SqliteUpdateInbox:
    """An ``UpdateInbox`` in the ``update_inbox`` table; open it with ``SqliteUpdateInbox.open``
    on a database that is already migrated."""

    def __init__(self, db: aiosqlite.Connection, seal: PayloadSeal) -> None:
        self._db = db
        self._seal = seal
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, seal: PayloadSeal | None = None) -> SqliteUpdateInbox:
        """``InboxUnavailableError`` when the file or its ``update_inbox`` table is missing."""
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            raise InboxUnavailableError(type(error).__name__) from None
        try:
            for pragma in schema.PRAGMAS:
                await db.execute(pragma)
            # durable against a power cut, not only a crash: the inbox is what Telegram trusts
            await db.execute("PRAGMA synchronous = FULL")
            # read to the end: a row left unread keeps a read transaction (a stale snapshot)
            # open, and this connection's next write could fail with "database is locked"
            await db.execute_fetchall("SELECT 1 FROM update_inbox LIMIT 1")
        except sqlite3.Error:
            await db.close()
            raise InboxUnavailableError("no update_inbox table; run `innertalk migrate`") from None
        except BaseException:
            await db.close()
            raise
        return cls(db, seal or PayloadSeal())

    async def file(self, bot_id: str, entries: Sequence[tuple[int, bytes]]) -> set[int]:
        if not entries:
            return set()
        ids = [update_id for update_id, _ in entries]
        marks = ",".join("?" * len(ids))
        rows = [(bot_id, uid, self._seal.seal(bot_id, uid, payload)) for uid, payload in entries]
        try:
            async with self._lock, schema.transaction(self._db):
                known = await self._db.execute_fetchall(
                    _KNOWN.format(marks=marks),  # only "?" placeholders go in
                    (bot_id, *ids),
                )
                await self._db.executemany(
                    _INSERT,
                    rows,
                )
        except (sqlite3.Error, OSError) as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return set(ids) - {int(row[0]) for row in known}

    async def pending(self, bot_id: str, limit: int) -> list[InboxEntry]:
        try:
            async with self._lock:
                rows = await self._db.execute_fetchall(
                    "SELECT update_id, payload, answered FROM update_inbox WHERE bot_id = ? "
                    "ORDER BY update_id LIMIT ?",
                    (bot_id, limit),
                )
        except (sqlite3.Error, OSError) as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return [
            self._seal.entry(bot_id, int(uid), str(stored), bool(answered))
            for uid, stored, answered in rows
        ]

    async def answered(self, bot_id: str, update_id: int) -> None:
        await self._write(
            "UPDATE update_inbox SET answered = 1 WHERE bot_id = ? AND update_id = ?",
            (bot_id, update_id),
        )

    async def done(self, bot_id: str, update_id: int) -> None:
        await self._write(
            "DELETE FROM update_inbox WHERE bot_id = ? AND update_id = ?", (bot_id, update_id)
        )

    async def reseal(self, bot_id: str | None = None) -> int:
        """One transaction; a row is only rewritten if its payload is still the one read."""
        mine, values = ("WHERE bot_id = ?", (bot_id,)) if bot_id is not None else ("", ())
        try:
            async with self._lock, schema.transaction(self._db):
                rows = await self._db.execute_fetchall(
                    f"SELECT bot_id, update_id, payload FROM update_inbox {mine}",  # noqa: S608
                    values,
                )
                changes = [
                    (fresh, bot, uid, stored)
                    for bot, uid, stored in rows
                    if (fresh := self._seal.reseal(str(bot), int(uid), str(stored))) is not None
                ]
                await self._db.executemany(
                    "UPDATE update_inbox SET payload = ? "
                    "WHERE bot_id = ? AND update_id = ? AND payload = ?",
                    changes,
                )
        except (sqlite3.Error, OSError) as error:
            raise InboxUnavailableError(type(error).__name__) from None
        return len(changes)

    async def close(self) -> None:
        await self._db.close()

    async def _write(self, statement: str, values: tuple[object, ...]) -> None:
        try:
            async with self._lock:
                await self._db.execute(statement, values)
        except (sqlite3.Error, OSError) as error:
            raise InboxUnavailableError(type(error).__name__) from None
