"""Encryption bookkeeping in SQLite, mixed into ``SqliteStorage``: the ``at_rest`` marker
read at start-up, and ``reseal`` behind ``innertalk reencrypt``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

from innertalk.domain.users import UserKey
from innertalk.infrastructure.storage.sealing import (
    JSON_TEXT,
    TEXT,
    VALUE,
    FieldSeal,
    resealed,
)
from innertalk.infrastructure.storage.sqlite import schema

SEALED_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "profiles": (("display_name", "display_name", TEXT),),
    "sessions": (
        ("summary", "summary", TEXT),
        ("safety", "safety", VALUE),
        ("fold_summary", "fold_summary", TEXT),
    ),
    "turns": (("text", "turn", TEXT),),
    "mood_entries": (
        ("score", "mood_score", VALUE),
        ("tags", "mood_tags", JSON_TEXT),
        ("note", "note", TEXT),
    ),
    "questionnaire_results": (
        ("score", "result_score", VALUE),
        ("severity", "severity", TEXT),
        ("answers", "answers", JSON_TEXT),
    ),
    "portraits": (("text", "portrait", TEXT),),
    "fsm_states": (("state", "fsm_state", TEXT), ("data", "fsm_data", TEXT)),
}
"""Every sealed column per table: (column, field bound into the seal, how it reads in clear)."""

Progress = Callable[[str, int, int], None]
"""Called after each batch with (table, rows read so far, values sealed so far)."""


class SqliteAtRestStore:
    """The marker and re-sealing over ``SqliteStorage``'s connection and lock."""

    _lock: asyncio.Lock

    @property
    def connection(self) -> aiosqlite.Connection:
        raise NotImplementedError  # provided by SqliteStorage

    async def at_rest_probe(self) -> str | None:
        """The marker's sealed text (``None``: no key was ever used, or not yet migrated)."""
        async with self._lock:
            try:
                rows = await self.connection.execute_fetchall("SELECT probe FROM at_rest")
            except sqlite3.OperationalError:  # migration 4 not applied: nothing sealed yet
                return None
        return next((str(row[0]) for row in rows), None)

    async def set_at_rest_probe(self, probe: str) -> None:
        """Write the marker; on a database not yet migrated, the next start writes it."""
        async with self._lock:
            db = self.connection
            try:
                async with schema.transaction(db):
                    await db.execute(
                        "INSERT INTO at_rest (id, probe) VALUES (1, ?)"
                        " ON CONFLICT (id) DO UPDATE SET probe = excluded.probe",
                        (probe,),
                    )
            except sqlite3.OperationalError:  # no at_rest table before migration 4
                return

    async def reseal(self, seal: FieldSeal, *, batch: int, progress: Progress) -> int:
        """Seal every personal value under ``seal``'s current key, ``batch`` rows per
        transaction; returns how many values changed. Run again, it changes nothing."""
        changed = 0
        for table, columns in SEALED_COLUMNS.items():
            after, read = 0, 0
            while True:
                rows = await self._rows(table, columns, after, batch)
                if not rows:
                    break
                updates = [_updates(seal, row, columns) for row in rows]
                changed += await self._apply(table, [u for u in updates if u[0]])
                after, read = int(rows[-1]["rid"]), read + len(rows)
                progress(table, read, changed)
        return changed

    async def _rows(
        self, table: str, columns: tuple[tuple[str, str, str], ...], after: int, limit: int
    ) -> list[sqlite3.Row]:
        names = ", ".join(column for column, _, _ in columns)
        sql = (
            f"SELECT rowid AS rid, bot_id, user_id, {names} FROM {table}"  # noqa: S608 - constants
            " WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        async with self._lock:
            return list(await self.connection.execute_fetchall(sql, (after, limit)))

    async def _apply(self, table: str, updates: list[tuple[dict[str, Any], int]]) -> int:
        async with self._lock:
            db = self.connection
            async with schema.transaction(db):
                for values, rowid in updates:
                    assignments = ", ".join(f"{column} = ?" for column in values)
                    await db.execute(
                        f"UPDATE {table} SET {assignments} WHERE rowid = ?",  # noqa: S608
                        (*values.values(), rowid),
                    )
        return sum(len(values) for values, _ in updates)


def _updates(
    seal: FieldSeal, row: sqlite3.Row, columns: tuple[tuple[str, str, str], ...]
) -> tuple[dict[str, Any], int]:
    key = UserKey(row["bot_id"], int(row["user_id"]))
    values = {}
    for column, field, kind in columns:
        value = resealed(seal, row[column], key, field, kind)
        if value is not None:
            values[column] = value
    return values, int(row["rid"])
